using System.Runtime.InteropServices;
using LoraMerge.Merging;
using LoraMerge.Numerics;

namespace LoraMerge.Core.Tests.Numerics;

/// <summary>
/// Issue 18: the span conversions and the bf16 row epilogue have one loop per vector width (512, 256, 128 bits) and a
/// scalar tail; which ones run depends on the CPU. These tests force each width through the internal
/// <c>vectorBits</c> / <c>vector256</c> seams, put every special value (rounding ties with an odd and an even kept bit,
/// NaNs with payloads, infinities, subnormals, overflow) at every lane of the vector bodies and of the tails, and check
/// bit for bit against <see cref="ReferenceHalfConversions"/> (integer rounding written from the format definitions, not
/// the engine's converter).
/// </summary>
public sealed class VectorWidthTests
{
    public static TheoryData<int> Widths => new() { 0, 128, 256, 512, HalfConversions.HardwareVectorBits };

    /// <summary>Lengths around every width's block (16, 32, 64 narrowed values per iteration) and its remainders.</summary>
    private static readonly int[] Lengths = [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 80, 127, 128, 129, 200];

    private static float F(uint bits) => BitConverter.UInt32BitsToSingle(bits);

    /// <summary>f32 inputs whose rounding to bf16 is a corner case.</summary>
    private static readonly float[] Bf16Specials =
    [
        F(0x3F808000), F(0x3F818000), F(0xBF808000), F(0xBF818000),   // exact ties: kept bit even (down) and odd (up), both signs
        F(0x3F807FFF), F(0x3F808001), F(0x3F817FFF), F(0x3F818001),   // one below and above a tie
        F(0x7F7F8000), F(0x7F7F7FFF), F(0xFF7F8000), float.MaxValue,  // ties and values that round to ±Inf
        float.PositiveInfinity, float.NegativeInfinity, 0f, -0f,
        float.NaN, F(0x7F800001), F(0xFF800001), F(0x7FFFFFFF), F(0xFFC00000), F(0x7F808000), // quiet, signalling, payload NaNs
        F(0x00000001), F(0x00008000), F(0x00018000), F(0x80018000), F(0x007FFFFF), F(0x00408000), // f32 subnormals and their ties
        F(0x00800000), 1f, -1.5f, 3.14159265f,
    ];

    /// <summary>f32 inputs whose rounding to f16 is a corner case.</summary>
    private static readonly float[] F16Specials =
    [
        F(0x3F801000), F(0x3F803000), F(0xBF801000), F(0xBF803000),   // ties in [1, 2): kept bit even and odd
        F(0x3F800FFF), F(0x3F801001),
        65504f, 65519.996f, 65520f, -65520f, 1e6f, float.MaxValue,   // f16 max, just below the overflow tie, the tie (-> Inf)
        float.PositiveInfinity, float.NegativeInfinity, 0f, -0f,
        float.NaN, F(0x7F800001), F(0xFF800001), F(0x7FFFFFFF), F(0xFFC00000),
        MathF.ScaleB(1, -24), MathF.ScaleB(1, -25), MathF.ScaleB(3, -25), -MathF.ScaleB(3, -25), // f16 subnormals and ties
        MathF.ScaleB(1, -26), MathF.ScaleB(1.5f, -25), MathF.ScaleB(1023, -24), MathF.ScaleB(2047, -25), // below half the smallest, carry into the smallest normal
        MathF.ScaleB(1, -14), F(0x00000001), F(0x007FFFFF), 1f, -1.5f, 3.14159265f,
    ];

    /// <summary>Every length, and every rotation of the specials, so that each lands at each lane of body and tail.</summary>
    private static IEnumerable<float[]> Rows(float[] specials)
    {
        foreach (int length in Lengths)
        {
            int rotations = Math.Min(Math.Max(length, 1), specials.Length);
            for (int start = 0; start < rotations; start++)
            {
                var row = new float[length];
                for (int i = 0; i < length; i++) row[i] = specials[(start + i) % specials.Length];
                yield return row;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void F32ToBf16_rounds_ties_to_even_and_maps_specials_at_every_width(int vectorBits)
    {
        foreach (var row in Rows(Bf16Specials))
        {
            var actual = new ushort[row.Length];
            HalfConversions.F32ToBf16(row, actual, vectorBits);
            AssertBits(row, actual, ReferenceHalfConversions.F32ToBf16, vectorBits);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void F32ToF16_rounds_ties_to_even_and_maps_specials_at_every_width(int vectorBits)
    {
        foreach (var row in Rows(F16Specials))
        {
            var actual = new ushort[row.Length];
            HalfConversions.F32ToF16(row, actual, vectorBits);
            AssertBits(row, actual, ReferenceHalfConversions.F32ToF16, vectorBits);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Widening_every_16_bit_pattern_is_exact_at_every_width(int vectorBits)
    {
        // All 65536 patterns (NaN payloads, infinities, subnormals, both zeros), offset by 0..3 so the tails see them too.
        for (int offset = 0; offset < 4; offset++)
        {
            var bits = Enumerable.Range(0, 65536 + offset).Select(i => (ushort)(i - offset)).ToArray();
            var f16 = new float[bits.Length];
            var bf16 = new float[bits.Length];
            HalfConversions.F16ToF32(bits, f16, vectorBits);
            HalfConversions.Bf16ToF32(bits, bf16, vectorBits);
            for (int i = 0; i < bits.Length; i++)
            {
                Assert.True(BitConverter.SingleToUInt32Bits(ReferenceHalfConversions.F16ToF32(bits[i])) == BitConverter.SingleToUInt32Bits(f16[i]),
                    $"F16ToF32(0x{bits[i]:X4}) at index {i}, width {vectorBits}: 0x{BitConverter.SingleToUInt32Bits(f16[i]):X8}");
                Assert.True(BitConverter.SingleToUInt32Bits(ReferenceHalfConversions.Bf16ToF32(bits[i])) == BitConverter.SingleToUInt32Bits(bf16[i]),
                    $"Bf16ToF32(0x{bits[i]:X4}) at index {i}, width {vectorBits}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Span_lengths_must_match(int vectorBits)
    {
        Assert.Throws<ArgumentException>(() => HalfConversions.F32ToBf16(new float[3], new ushort[2], vectorBits));
        Assert.Throws<ArgumentException>(() => HalfConversions.F16ToF32(new ushort[3], new float[4], vectorBits));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Bf16_row_epilogue_rounds_counts_and_measures_like_the_reference_on_both_paths(bool vector256)
    {
        var random = new Random(18);
        foreach (var row in Rows(Bf16Specials))
        {
            // A base row: half the lanes equal to the merged value's rounding (unchanged), half random finite values.
            var baseBits = new ushort[row.Length];
            for (int i = 0; i < row.Length; i++)
                baseBits[i] = random.Next(2) == 0 ? ReferenceHalfConversions.F32ToBf16(row[i]) : (ushort)random.Next(0x0000, 0x7F00);
            var output = new byte[row.Length * 2];
            long changed = 5;          // accumulates
            double maxDelta = 0.25;    // accumulates as a maximum
            bool finite = Bf16RowEpilogue.Finish(row, MemoryMarshal.AsBytes(baseBits.AsSpan()), output, ref changed, ref maxDelta, vector256);

            var expected = row.Select(ReferenceHalfConversions.F32ToBf16).ToArray();
            var actual = MemoryMarshal.Cast<byte, ushort>(output).ToArray();
            AssertBits(row, actual, ReferenceHalfConversions.F32ToBf16, vector256 ? 256 : 0);
            Assert.Equal(5 + expected.Zip(baseBits).Count(p => p.First != p.Second), changed);
            Assert.Equal(expected.All(b => (b & 0x7F80) != 0x7F80), finite);
            double expectedMax = 0.25;
            for (int i = 0; i < row.Length; i++)
            {
                float delta = Math.Abs(ReferenceHalfConversions.Bf16ToF32(expected[i]) - ReferenceHalfConversions.Bf16ToF32(baseBits[i]));
                if (float.IsFinite(delta)) expectedMax = Math.Max(expectedMax, delta);
            }
            Assert.Equal(expectedMax, maxDelta);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Bf16_row_epilogue_reports_a_non_finite_value_at_every_lane(bool vector256)
    {
        foreach (float bad in new[] { float.NaN, float.NegativeInfinity, F(0x7F7F8000) /* rounds to +Inf */ })
        {
            for (int position = 0; position < 40; position++)
            {
                var merged = Enumerable.Repeat(0.5f, 40).ToArray();
                merged[position] = bad;
                long changed = 0;
                double maxDelta = 0;
                Assert.False(Bf16RowEpilogue.Finish(merged, new byte[80], new byte[80], ref changed, ref maxDelta, vector256),
                    $"{bad} at {position}");
                Assert.Equal(0.5, maxDelta);
                Assert.Equal(40, changed);
            }
        }
    }

    private static void AssertBits(float[] row, ushort[] actual, Func<float, ushort> reference, int width)
    {
        for (int i = 0; i < row.Length; i++)
        {
            ushort expected = reference(row[i]);
            Assert.True(expected == actual[i],
                $"0x{BitConverter.SingleToUInt32Bits(row[i]):X8} at index {i} of {row.Length}, width {width}: expected 0x{expected:X4}, got 0x{actual[i]:X4}");
        }
    }
}
