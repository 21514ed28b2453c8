using LoraMerge.Numerics;

namespace LoraMerge.Core.Tests.Numerics;

public sealed class F16ConversionTests
{
    [Fact]
    public void EveryF16PatternWidensLikeTheReference()
    {
        ushort[] patterns = HalfConversionTestData.AllPatterns();
        var widened = new float[patterns.Length];
        HalfConversions.F16ToF32(patterns, widened);

        foreach (ushort bits in patterns)
        {
            uint expected = BitConverter.SingleToUInt32Bits(ReferenceHalfConversions.F16ToF32(bits));
            Assert.Equal(expected, BitConverter.SingleToUInt32Bits(HalfConversions.F16ToF32(bits)));
            Assert.Equal(expected, BitConverter.SingleToUInt32Bits(widened[bits]));
        }
    }

    [Fact]
    public void EveryNonNaNF16PatternWidensLikeDotNetHalf()
    {
        foreach (ushort bits in HalfConversionTestData.AllPatterns())
        {
            Half half = BitConverter.UInt16BitsToHalf(bits);
            if (!Half.IsNaN(half))
            {
                Assert.Equal(BitConverter.SingleToUInt32Bits((float)half), BitConverter.SingleToUInt32Bits(HalfConversions.F16ToF32(bits)));
            }
        }
    }

    [Fact]
    public void EveryF16PatternSurvivesTheRoundTripExceptThatNaNPayloadsAreDropped()
    {
        ushort[] patterns = HalfConversionTestData.AllPatterns();
        var widened = new float[patterns.Length];
        var narrowed = new ushort[patterns.Length];
        HalfConversions.F16ToF32(patterns, widened);
        HalfConversions.F32ToF16(widened, narrowed);

        foreach (ushort bits in patterns)
        {
            bool isNaN = (bits & 0x7C00) == 0x7C00 && (bits & 0x3FF) != 0;
            ushort expected = isNaN ? (ushort)((bits & 0x8000) | 0x7E00) : bits;
            Assert.Equal(expected, narrowed[bits]);
            Assert.Equal(expected, HalfConversions.F32ToF16(HalfConversions.F16ToF32(bits)));
        }
    }

    [Fact]
    public void RandomFloatsRoundLikeTheReferenceAndLikeDotNetHalf()
    {
        AssertRoundsLikeReferenceAndDotNetHalf(HalfConversionTestData.RandomFloats(300_000, seed: 29));
    }

    [Fact]
    public void TiesBetweenEveryPairOfAdjacentF16ValuesRoundToEven()
    {
        AssertRoundsLikeReferenceAndDotNetHalf(HalfConversionTestData.F16Ties());
    }

    [Theory]
    [InlineData(0x3F800000u, (ushort)0x3C00)] // 1.0
    [InlineData(0x3F801000u, (ushort)0x3C00)] // 1 + 2^-11: tie, even stays
    [InlineData(0x3F803000u, (ushort)0x3C02)] // 1 + 3*2^-11: tie, odd rounds up
    [InlineData(0x477FE000u, (ushort)0x7BFF)] // 65504, the largest f16
    [InlineData(0x477FEFFFu, (ushort)0x7BFF)] // just below 65520 stays finite
    [InlineData(0x477FF000u, (ushort)0x7C00)] // 65520 rounds to +inf
    [InlineData(0xC77FF000u, (ushort)0xFC00)] // -65520 rounds to -inf
    [InlineData(0x7F7FFFFFu, (ushort)0x7C00)] // float.MaxValue
    [InlineData(0x33800000u, (ushort)0x0001)] // 2^-24, smallest f16 subnormal
    [InlineData(0x33000000u, (ushort)0x0000)] // 2^-25: tie between 0 and 2^-24 rounds to even zero
    [InlineData(0x33000001u, (ushort)0x0001)] // just above that tie
    [InlineData(0x33C00000u, (ushort)0x0002)] // 3*2^-25: tie rounds up to even
    [InlineData(0x387FE000u, (ushort)0x0400)] // 2^-14 - 2^-25: tie carries into the smallest normal
    [InlineData(0x80000000u, (ushort)0x8000)] // -0
    [InlineData(0x00000001u, (ushort)0x0000)] // f32 subnormal underflows
    [InlineData(0xFF800000u, (ushort)0xFC00)] // -inf
    [InlineData(0x7FC00000u, (ushort)0x7E00)] // NaN
    [InlineData(0xFFFFE000u, (ushort)0xFE00)] // negative NaN keeps its sign, loses its payload (c10 fp16_ieee_from_fp32_value)
    [InlineData(0x7F800001u, (ushort)0x7E00)] // signalling NaN
    public void KnownValuesRoundAsPyTorchDoes(uint floatBits, ushort expected)
    {
        float value = BitConverter.UInt32BitsToSingle(floatBits);
        Assert.Equal(expected, HalfConversions.F32ToF16(value));

        var destination = new ushort[1];
        HalfConversions.F32ToF16([value], destination);
        Assert.Equal(expected, destination[0]);
    }

    [Theory]
    [InlineData((ushort)0x7C01, 0x7FC02000u)] // signalling NaN is quietened, payload kept
    [InlineData((ushort)0xFD00, 0xFFE00000u)]
    [InlineData((ushort)0x7FFF, 0x7FFFE000u)]
    [InlineData((ushort)0x0001, 0x33800000u)] // 2^-24
    [InlineData((ushort)0x83FF, 0xB87FC000u)] // largest negative subnormal
    [InlineData((ushort)0xFC00, 0xFF800000u)]
    public void KnownPatternsWidenAsPyTorchDoes(ushort bits, uint expected)
    {
        Assert.Equal(expected, BitConverter.SingleToUInt32Bits(HalfConversions.F16ToF32(bits)));
    }

    private static void AssertRoundsLikeReferenceAndDotNetHalf(float[] values)
    {
        var narrowed = new ushort[values.Length];
        HalfConversions.F32ToF16(values, narrowed);
        for (int i = 0; i < values.Length; i++)
        {
            ushort expected = ReferenceHalfConversions.F32ToF16(values[i]);
            Assert.Equal(expected, HalfConversions.F32ToF16(values[i]));
            Assert.Equal(expected, narrowed[i]);
            if (!float.IsNaN(values[i]))
            {
                Assert.Equal(BitConverter.HalfToUInt16Bits((Half)values[i]), narrowed[i]);
            }
        }
    }
}
