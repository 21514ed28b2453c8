using System.Buffers;
using LoraMerge.Formats;

namespace LoraMerge.Merging;

/// <summary>
/// A low-rank term widened to f32 and laid out as L (rows×r) and R (r×columns) for <see cref="LowRankKernel"/>.
/// The buffers are pooled (a merge loads hundreds of these, and fresh memory costs a page fault per page): dispose it.
/// </summary>
internal sealed class FactorMatrices : IDisposable
{
    private float[]? _left;
    private float[]? _right;
    private readonly int _leftLength;
    private readonly int _rightLength;

    private FactorMatrices(float[] left, int leftLength, float[] right, int rightLength, int rank, float scale)
    {
        _left = left;
        _leftLength = leftLength;
        _right = right;
        _rightLength = rightLength;
        Rank = rank;
        Scale = scale;
    }

    public ReadOnlySpan<float> Left => (_left ?? throw Disposed()).AsSpan(0, _leftLength);
    public ReadOnlySpan<float> Right => (_right ?? throw Disposed()).AsSpan(0, _rightLength);
    public int Rank { get; }
    public float Scale { get; }

    /// <summary>L's rows for stored rows [firstRow, firstRow + count).</summary>
    public ReadOnlySpan<float> LeftRows(long firstRow, int count) => Left.Slice(checked((int)(firstRow * Rank)), count * Rank);

    public static FactorMatrices Load(LowRankTerm term, SafetensorsFile adapterFile, long rows, long columns)
    {
        switch (term.Orientation)
        {
            case FactorOrientation.Bias:
            {
                var left = Rent(1);
                left[0] = 1f;
                var bias = Read(adapterFile, term.A, out int biasLength);
                return new FactorMatrices(left, 1, bias, biasLength, 1, term.Scale);
            }
            case FactorOrientation.Direct:
            {
                // lora_B (out×r…) is L as stored; lora_A (r×in…) is R as stored.
                var left = Read(adapterFile, term.B, out int leftLength);
                var right = Read(adapterFile, term.A, out int rightLength);
                return new FactorMatrices(left, leftLength, right, rightLength, checked((int)(rightLength / columns)), term.Scale);
            }
            case FactorOrientation.Transposed:
            {
                // Stored rows index A's columns and stored columns index B's rows: L = Aᵀ, R = Bᵀ.
                var a = Read(adapterFile, term.A, out int aLength);
                var b = Read(adapterFile, term.B, out int bLength);
                try
                {
                    int rank = checked((int)(aLength / rows));
                    return new FactorMatrices(Transpose(a, rank, (int)rows), aLength, Transpose(b, (int)columns, rank), bLength, rank, term.Scale);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(a);
                    ArrayPool<float>.Shared.Return(b);
                }
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(term));
        }
    }

    /// <summary>Factors computed elsewhere (a combined adapter's), copied into pooled buffers.</summary>
    public static FactorMatrices FromFactors(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int rank, float scale)
    {
        var l = Rent(Math.Max(left.Length, 1));
        var r = Rent(Math.Max(right.Length, 1));
        left.CopyTo(l);
        right.CopyTo(r);
        return new FactorMatrices(l, left.Length, r, right.Length, rank, scale);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _left, null) is { } left)
            ArrayPool<float>.Shared.Return(left);
        if (Interlocked.Exchange(ref _right, null) is { } right)
            ArrayPool<float>.Shared.Return(right);
    }

    private ObjectDisposedException Disposed() => new(nameof(FactorMatrices));

    private static float[] Rent(int length) => ArrayPool<float>.Shared.Rent(length);

    private static float[] Read(SafetensorsFile file, TensorInfo tensor, out int length)
    {
        length = checked((int)tensor.ElementCount);
        var values = Rent(length);
        try
        {
            FloatReader.ReadInto(file, tensor, values);
            return values;
        }
        catch
        {
            ArrayPool<float>.Shared.Return(values);
            throw;
        }
    }

    private static float[] Transpose(float[] source, int sourceRows, int sourceColumns)
    {
        var result = Rent(sourceRows * sourceColumns);
        for (int i = 0; i < sourceRows; i++)
            for (int j = 0; j < sourceColumns; j++)
                result[j * sourceRows + i] = source[i * sourceColumns + j];
        return result;
    }
}
