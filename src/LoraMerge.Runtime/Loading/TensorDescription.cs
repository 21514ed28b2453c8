using LoraMerge.Formats;

namespace LoraMerge.Runtime;

/// <summary>A tensor as a generated model class was compiled against: name, dtype, shape and the file (relative to the model folder) holding it.</summary>
public sealed record TensorDescription(string Name, DType DType, long[] Shape, string File)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
