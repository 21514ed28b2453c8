using LoraMerge.Numerics;

namespace LoraMerge.Core.Tests.Numerics;

public sealed class Bf16ConversionTests
{
    [Fact]
    public void EveryBf16PatternWidensLikeTheReference()
    {
        ushort[] patterns = HalfConversionTestData.AllPatterns();
        var widened = new float[patterns.Length];
        HalfConversions.Bf16ToF32(patterns, widened);

        foreach (ushort bits in patterns)
        {
            uint expected = BitConverter.SingleToUInt32Bits(ReferenceHalfConversions.Bf16ToF32(bits));
            Assert.Equal(expected, BitConverter.SingleToUInt32Bits(HalfConversions.Bf16ToF32(bits)));
            Assert.Equal(expected, BitConverter.SingleToUInt32Bits(widened[bits]));
        }
    }

    [Fact]
    public void EveryBf16PatternSurvivesTheRoundTripExceptThatNaNsBecomeCanonical()
    {
        ushort[] patterns = HalfConversionTestData.AllPatterns();
        var widened = new float[patterns.Length];
        var narrowed = new ushort[patterns.Length];
        HalfConversions.Bf16ToF32(patterns, widened);
        HalfConversions.F32ToBf16(widened, narrowed);

        foreach (ushort bits in patterns)
        {
            bool isNaN = (bits & 0x7F80) == 0x7F80 && (bits & 0x7F) != 0;
            ushort expected = isNaN ? (ushort)0x7FC0 : bits;
            Assert.Equal(expected, narrowed[bits]);
            Assert.Equal(expected, HalfConversions.F32ToBf16(HalfConversions.Bf16ToF32(bits)));
        }
    }

    [Fact]
    public void RandomFloatsRoundLikeTheReference()
    {
        float[] values = HalfConversionTestData.RandomFloats(300_000, seed: 17);
        AssertRoundsLikeReference(values);
    }

    [Fact]
    public void TiesRoundToEvenLikeTheReference()
    {
        float[] values = HalfConversionTestData.Bf16Ties(90_000, seed: 23);
        AssertRoundsLikeReference(values);
    }

    [Theory]
    [InlineData(0x3F800000u, (ushort)0x3F80)] // 1.0
    [InlineData(0x3F808000u, (ushort)0x3F80)] // tie, even stays
    [InlineData(0x3F818000u, (ushort)0x3F82)] // tie, odd rounds up
    [InlineData(0x3F808001u, (ushort)0x3F81)] // just above the tie
    [InlineData(0xBF818000u, (ushort)0xBF82)] // negative tie
    [InlineData(0x7F7FFFFFu, (ushort)0x7F80)] // float.MaxValue rounds to +inf
    [InlineData(0x7F7F7FFFu, (ushort)0x7F7F)] // largest value that stays finite
    [InlineData(0x00000001u, (ushort)0x0000)] // smallest f32 subnormal
    [InlineData(0x00008000u, (ushort)0x0000)] // subnormal tie to even (zero)
    [InlineData(0x00018000u, (ushort)0x0002)] // subnormal tie to even (up)
    [InlineData(0x80000000u, (ushort)0x8000)] // -0
    [InlineData(0xFF800000u, (ushort)0xFF80)] // -inf
    [InlineData(0x7FC00000u, (ushort)0x7FC0)] // NaN
    [InlineData(0xFFC00001u, (ushort)0x7FC0)] // negative NaN with payload loses sign and payload, like c10::BFloat16
    [InlineData(0x7F800001u, (ushort)0x7FC0)] // signalling NaN whose payload would truncate to infinity
    public void KnownValuesRoundAsPyTorchDoes(uint floatBits, ushort expected)
    {
        float value = BitConverter.UInt32BitsToSingle(floatBits);
        Assert.Equal(expected, HalfConversions.F32ToBf16(value));

        var destination = new ushort[1];
        HalfConversions.F32ToBf16([value], destination);
        Assert.Equal(expected, destination[0]);
    }

    private static void AssertRoundsLikeReference(float[] values)
    {
        var narrowed = new ushort[values.Length];
        HalfConversions.F32ToBf16(values, narrowed);
        for (int i = 0; i < values.Length; i++)
        {
            ushort expected = ReferenceHalfConversions.F32ToBf16(values[i]);
            Assert.Equal(expected, HalfConversions.F32ToBf16(values[i]));
            Assert.Equal(expected, narrowed[i]);
        }
    }
}
