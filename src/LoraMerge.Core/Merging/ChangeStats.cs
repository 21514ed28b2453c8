using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LoraMerge.Formats;
using LoraMerge.Numerics;

namespace LoraMerge.Merging;

/// <summary>Per-row statistics of what a merge changed, vectorised (they run on every merged element).</summary>
internal static class ChangeStats
{
    public static long CountDifferent(ReadOnlySpan<byte> before, ReadOnlySpan<byte> after, int elementSize) => elementSize switch
    {
        2 => CountDifferent(MemoryMarshal.Cast<byte, ushort>(before), MemoryMarshal.Cast<byte, ushort>(after)),
        4 => CountDifferent(MemoryMarshal.Cast<byte, uint>(before), MemoryMarshal.Cast<byte, uint>(after)),
        _ => throw new ArgumentOutOfRangeException(nameof(elementSize)),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long CountDifferent<T>(ReadOnlySpan<T> before, ReadOnlySpan<T> after)
        where T : unmanaged, IBinaryInteger<T>
    {
        long changed = 0;
        int i = 0;
        int width = Vector256<T>.Count;
        for (; i + width <= before.Length; i += width)
        {
            var equal = Vector256.Equals(Vector256.Create(before.Slice(i, width)), Vector256.Create(after.Slice(i, width)));
            changed += width - BitOperations.PopCount(equal.ExtractMostSignificantBits());
        }
        for (; i < before.Length; i++)
            if (before[i] != after[i])
                changed++;
        return changed;
    }

    /// <summary>
    /// Compares a stored row with the base row it replaces, adding to <paramref name="changed"/> (elements whose bits
    /// differ) and <paramref name="maxAbsDelta"/>. Returns false when a stored value is NaN or ±Inf.
    /// </summary>
    /// <param name="scratch">Two rows of f32 scratch space.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Measure(DType dtype, ReadOnlySpan<byte> baseRow, ReadOnlySpan<byte> stored,
        Span<float> scratch, ref long changed, ref double maxAbsDelta)
    {
        int columns = baseRow.Length / DTypes.SizeOf(dtype);
        var before = scratch[..columns];
        var after = scratch.Slice(columns, columns);
        FloatWidening.TryWiden(dtype, baseRow, before);
        FloatWidening.TryWiden(dtype, stored, after);
        changed += CountDifferent(baseRow, stored, DTypes.SizeOf(dtype));
        maxAbsDelta = Math.Max(maxAbsDelta, MaxAbsDifference(before, after));
        return AllFinite(after);
    }

    /// <summary>True when every value is finite (no NaN, no ±Inf).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>max |after − before| over finite pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double MaxAbsDifference(ReadOnlySpan<float> before, ReadOnlySpan<float> after)
    {
        var max = Vector256<float>.Zero;
        int i = 0;
        for (; i + 8 <= before.Length; i += 8)
        {
            var d = Vector256.Abs(Vector256.Create(after.Slice(i, 8)) - Vector256.Create(before.Slice(i, 8)));
            max = Vector256.Max(max, Vector256.ConditionalSelect(Vector256.Equals(d - d, Vector256<float>.Zero), d, Vector256<float>.Zero));
        }
        float result = 0;
        for (int lane = 0; lane < 8; lane++)
            result = Math.Max(result, max[lane]);
        for (; i < before.Length; i++)
        {
            float d = Math.Abs(after[i] - before[i]);
            if (float.IsFinite(d))
                result = Math.Max(result, d);
        }
        return result;
    }
}
