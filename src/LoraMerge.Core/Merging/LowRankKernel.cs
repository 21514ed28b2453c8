using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LoraMerge.Merging;

/// <summary>
/// The arithmetic of one merged row, in PyTorch's CPU order: <c>dot = dot + L[p,k]·R[k,c]</c> sequentially over the
/// rank with the product and the sum each rounded to f32 (no fused multiply-add: PyTorch's reference BLAS path, checked
/// bit for bit against torch's f32 matmul), then <c>d = dot·s</c>, then <c>acc = acc + d</c>. Lanes are independent
/// columns, so the vector and scalar paths give identical bits.
/// </summary>
internal static class LowRankKernel
{
    private const int TileFloats = 32;

    /// <param name="accumulator">One stored row in f32; the term is added in place.</param>
    /// <param name="leftRow">L[p, 0..r).</param>
    /// <param name="right">R as r rows of <paramref name="accumulator"/>.Length columns, row-major.</param>
    public static void AddTerm(Span<float> accumulator, ReadOnlySpan<float> leftRow, ReadOnlySpan<float> right, float scale)
    {
        int columns = accumulator.Length;
        int rank = leftRow.Length;
        if (right.Length != checked(rank * columns))
            throw new ArgumentException("Factor shapes do not match the row.", nameof(right));

        int c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale);
            for (; c + TileFloats <= columns; c += TileFloats)
                AddTile(accumulator, leftRow, right, columns, c, s);
            for (; c + Vector256<float>.Count <= columns; c += Vector256<float>.Count)
                AddVector(accumulator, leftRow, right, columns, c, s);
        }
        for (; c < columns; c++)
        {
            float dot = 0f;
            for (int k = 0; k < rank; k++)
                dot += leftRow[k] * right[k * columns + c];
            accumulator[c] += dot * scale;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTile(Span<float> acc, ReadOnlySpan<float> left, ReadOnlySpan<float> right, int columns, int c, Vector256<float> s)
    {
        var d0 = Vector256<float>.Zero;
        var d1 = Vector256<float>.Zero;
        var d2 = Vector256<float>.Zero;
        var d3 = Vector256<float>.Zero;
        for (int k = 0; k < left.Length; k++)
        {
            var l = Vector256.Create(left[k]);
            var r = right.Slice(k * columns + c, TileFloats);
            d0 += l * Vector256.Create(r);
            d1 += l * Vector256.Create(r[8..]);
            d2 += l * Vector256.Create(r[16..]);
            d3 += l * Vector256.Create(r[24..]);
        }
        var a = acc.Slice(c, TileFloats);
        (Vector256.Create((ReadOnlySpan<float>)a) + d0 * s).CopyTo(a);
        (Vector256.Create((ReadOnlySpan<float>)a[8..]) + d1 * s).CopyTo(a[8..]);
        (Vector256.Create((ReadOnlySpan<float>)a[16..]) + d2 * s).CopyTo(a[16..]);
        (Vector256.Create((ReadOnlySpan<float>)a[24..]) + d3 * s).CopyTo(a[24..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddVector(Span<float> acc, ReadOnlySpan<float> left, ReadOnlySpan<float> right, int columns, int c, Vector256<float> s)
    {
        var d = Vector256<float>.Zero;
        for (int k = 0; k < left.Length; k++)
            d += Vector256.Create(left[k]) * Vector256.Create(right.Slice(k * columns + c, 8));
        var a = acc.Slice(c, 8);
        (Vector256.Create((ReadOnlySpan<float>)a) + d * s).CopyTo(a);
    }

    /// <summary>Multiplies each element by its column factor (DoRA per-column rescale).</summary>
    public static void ScaleColumns(Span<float> row, ReadOnlySpan<float> factors)
    {
        int c = 0;
        for (; c + 8 <= row.Length; c += 8)
            (Vector256.Create((ReadOnlySpan<float>)row.Slice(c, 8)) * Vector256.Create(factors.Slice(c, 8))).CopyTo(row.Slice(c, 8));
        for (; c < row.Length; c++)
            row[c] *= factors[c];
    }

    /// <summary>Multiplies every element by one factor (DoRA per-row rescale).</summary>
    public static void Scale(Span<float> row, float factor)
    {
        int c = 0;
        var f = Vector256.Create(factor);
        for (; c + 8 <= row.Length; c += 8)
            (Vector256.Create((ReadOnlySpan<float>)row.Slice(c, 8)) * f).CopyTo(row.Slice(c, 8));
        for (; c < row.Length; c++)
            row[c] *= factor;
    }

    /// <summary>True when every value is finite (no NaN, no ±Inf).</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        int c = 0;
        var bad = Vector256<float>.Zero;
        for (; c + 8 <= values.Length; c += 8)
        {
            var v = Vector256.Create(values.Slice(c, 8));
            bad |= Vector256.OnesComplement(Vector256.Equals(v - v, Vector256<float>.Zero));
        }
        if (bad != Vector256<float>.Zero)
            return false;
        for (; c < values.Length; c++)
            if (!float.IsFinite(values[c]))
                return false;
        return true;
    }

    /// <summary>Sum of squares in f64, sequential (deterministic).</summary>
    public static double SumOfSquares(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (var v in values)
            sum += (double)v * v;
        return sum;
    }
}
