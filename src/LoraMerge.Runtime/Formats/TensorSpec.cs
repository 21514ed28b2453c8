namespace LoraMerge.Formats;

/// <summary>A tensor to be written: its name, element type and shape (its bytes come later).</summary>
public sealed record TensorSpec(string Name, DType DType, long[] Shape)
{
    /// <summary>Element count times element size; throws <see cref="OverflowException"/> if it does not fit a long.</summary>
    public long ByteLength { get; } = ComputeByteLength(DType, Shape);

    public static TensorSpec From(TensorInfo tensor) => new(tensor.Name, tensor.DType, (long[])tensor.Shape.Clone());

    internal static long ComputeByteLength(DType dtype, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0) throw new ArgumentOutOfRangeException(nameof(shape), dim, "Dimensions must be non-negative.");
            count = checked(count * dim);
        }
        return checked(count * DTypes.SizeOf(dtype));
    }
}
