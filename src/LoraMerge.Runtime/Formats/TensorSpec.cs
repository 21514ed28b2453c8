namespace LoraMerge.Formats;

/// <summary>A tensor to be written: its name, element type and shape (its bytes come later).</summary>
public sealed record TensorSpec(string Name, DType DType, long[] Shape)
{
    /// <summary>Its bytes (<see cref="DTypes.ByteLengthOf"/>).</summary>
    public long ByteLength { get; } = ComputeByteLength(DType, Shape);

    public static TensorSpec From(TensorInfo tensor) => new(tensor.Name, tensor.DType, (long[])tensor.Shape.Clone());

    /// <summary>
    /// Element count times element size in bits, over 8; throws <see cref="OverflowException"/> if it does not fit a
    /// long and <see cref="ArgumentException"/> if packed elements do not fill whole bytes.
    /// </summary>
    internal static long ComputeByteLength(DType dtype, long[] shape) =>
        DTypes.ByteLengthOf(dtype, ElementCount(shape))
        ?? throw new ArgumentException($"{ElementCount(shape)} {dtype} elements do not fill whole bytes.", nameof(shape));

    /// <summary>The product of the dimensions (1 for a scalar); checked.</summary>
    internal static long ElementCount(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0) throw new ArgumentOutOfRangeException(nameof(shape), dim, "Dimensions must be non-negative.");
            count = checked(count * dim);
        }
        return count;
    }
}
