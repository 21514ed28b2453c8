namespace LoraMerge.Formats;

/// <summary>One tensor entry of a safetensors header.</summary>
/// <param name="DataOffset">Start of the tensor's bytes, relative to the start of the data section (as in the header).</param>
public sealed record TensorInfo(string Name, DType DType, long[] Shape, long DataOffset, long ByteLength)
{
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Shape) n *= d;
            return n;
        }
    }

    public int Rank => Shape.Length;

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
