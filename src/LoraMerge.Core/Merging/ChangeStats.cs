using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>True when a stored 16-bit float is ±Inf or NaN (rounding a finite f32 can overflow to ±Inf).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool HasInfinity(LoraMerge.Formats.DType dtype, ReadOnlySpan<byte> stored)
    {
        ushort exponent = dtype switch
        {
            LoraMerge.Formats.DType.BF16 => 0x7F80,
            LoraMerge.Formats.DType.F16 => 0x7C00,
            _ => 0,
        };
        if (exponent == 0)
            return false;
        var bits = MemoryMarshal.Cast<byte, ushort>(stored);
        var mask = Vector256.Create(exponent);
        int i = 0;
        for (; i + 16 <= bits.Length; i += 16)
            if (Vector256.EqualsAny(Vector256.Create(bits.Slice(i, 16)) & mask, mask))
                return true;
        for (; i < bits.Length; i++)
            if ((bits[i] & exponent) == exponent)
                return true;
        return false;
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
