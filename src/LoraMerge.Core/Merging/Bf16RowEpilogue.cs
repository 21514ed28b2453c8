using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LoraMerge.Numerics;

namespace LoraMerge.Merging;

/// <summary>
/// The end of a merged bf16 row in one vectorised pass (the common case, so worth fusing): round the f32 results to
/// bf16, store them, check that nothing is NaN or ±Inf, and count and measure what changed against the base row.
/// Same results as <see cref="FloatReader.Narrow"/> followed by the <see cref="ChangeStats"/> checks.
/// </summary>
internal static class Bf16RowEpilogue
{
    /// <returns>False when a value is not finite (before or after rounding).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Finish(ReadOnlySpan<float> merged, ReadOnlySpan<byte> baseRow, Span<byte> output, ref long changed, ref double maxAbsDelta) =>
        Finish(merged, baseRow, output, ref changed, ref maxAbsDelta, Vector256.IsHardwareAccelerated);

    /// <param name="vector256">Whether the 256-bit loop runs (tests force each path whatever the CPU).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool Finish(ReadOnlySpan<float> merged, ReadOnlySpan<byte> baseRow, Span<byte> output, ref long changed, ref double maxAbsDelta,
        bool vector256)
    {
        var before = MemoryMarshal.Cast<byte, ushort>(baseRow);
        var after = MemoryMarshal.Cast<byte, ushort>(output);
        var exponent = Vector256.Create((ushort)0x7F80);
        var notFinite = Vector256<ushort>.Zero;
        var maxDelta = Vector256<float>.Zero;
        int i = 0;
        if (vector256)
        {
            for (; i + 16 <= merged.Length; i += 16)
            {
                var rounded = Vector256.Narrow(HalfConversions.RoundToBf16(Vector256.Create(merged.Slice(i, 8))),
                                               HalfConversions.RoundToBf16(Vector256.Create(merged.Slice(i + 8, 8))));
                rounded.CopyTo(after.Slice(i, 16));
                var old = Vector256.Create(before.Slice(i, 16));
                changed += 16 - BitOperations.PopCount(Vector256.Equals(rounded, old).ExtractMostSignificantBits());
                notFinite |= Vector256.Equals(rounded & exponent, exponent);
                var (newLow, newHigh) = Vector256.Widen(rounded);
                var (oldLow, oldHigh) = Vector256.Widen(old);
                maxDelta = Vector256.Max(maxDelta, FiniteOrZero(Vector256.Abs((newLow << 16).AsSingle() - (oldLow << 16).AsSingle())));
                maxDelta = Vector256.Max(maxDelta, FiniteOrZero(Vector256.Abs((newHigh << 16).AsSingle() - (oldHigh << 16).AsSingle())));
            }
        }
        bool finite = notFinite == Vector256<ushort>.Zero;
        float max = 0;
        for (int lane = 0; lane < Vector256<float>.Count; lane++)
            max = Math.Max(max, maxDelta[lane]);
        for (; i < merged.Length; i++)
        {
            ushort rounded = HalfConversions.F32ToBf16(merged[i]);
            after[i] = rounded;
            if (rounded != before[i])
                changed++;
            finite &= (rounded & 0x7F80) != 0x7F80;
            float delta = Math.Abs(HalfConversions.Bf16ToF32(rounded) - HalfConversions.Bf16ToF32(before[i]));
            if (float.IsFinite(delta))
                max = Math.Max(max, delta);
        }
        maxAbsDelta = Math.Max(maxAbsDelta, max);
        return finite;
    }

    private static Vector256<float> FiniteOrZero(Vector256<float> d) =>
        Vector256.ConditionalSelect(Vector256.Equals(d - d, Vector256<float>.Zero), d, Vector256<float>.Zero);
}
