namespace LoraMerge.Gguf;

/// <summary>A tensor to write: its GGUF name, its shape as PyTorch states it (outermost first) and its type.</summary>
public sealed record GgufTensorSpec(string Name, long[] Shape, GgufTensorType Type)
{
    /// <summary>Elements per innermost row (the last PyTorch dimension; 1 for a scalar).</summary>
    public long Columns => Shape.Length == 0 ? 1 : Shape[^1];

    public long Rows => Columns == 0 ? 0 : ElementCount / Columns;

    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));

    public long ByteLength => Rows * GgufTensorTypes.RowBytes(Type, Columns);
}

/// <summary>Where a tensor's data sits, relative to the start of the data section.</summary>
public sealed record GgufTensorPlacement(GgufTensorSpec Spec, long DataOffset);
