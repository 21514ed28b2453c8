using System.Runtime.CompilerServices;
using LoraMerge.Formats;

namespace LoraMerge.Merging;

/// <summary>
/// The end of a merged row: round the f32 results to the stored dtype, store them, report whether everything is finite
/// (before and after rounding), and add to the change statistics against the base row.
/// </summary>
internal static class RowEpilogue
{
    /// <param name="scratch">Two rows of f32 scratch space (only used for F16 and F32 rows).</param>
    /// <returns>False when a value is NaN or ±Inf.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Finish(DType dtype, ReadOnlySpan<float> merged, ReadOnlySpan<byte> baseRow, Span<byte> output,
        Span<float> scratch, ref long changed, ref double maxAbsDelta)
    {
        if (dtype == DType.BF16)
            return Bf16RowEpilogue.Finish(merged, baseRow, output, ref changed, ref maxAbsDelta);

        // Rounding maps NaN to NaN and overflows to ±Inf, so checking the stored values covers both.
        FloatReader.Narrow(dtype, merged, output);
        return ChangeStats.Measure(dtype, baseRow, output, scratch, ref changed, ref maxAbsDelta);
    }
}
