using LoraMerge.Numerics;

namespace LoraMerge.Core.Tests.Numerics;

/// <summary>
/// The span overloads at lengths that exercise every vector width's body and the scalar tail, on a misaligned slice,
/// with sentinels either side of the destination to catch writes past its ends.
/// </summary>
public sealed class HalfConversionSpanTests
{
    private const ushort Sentinel16 = 0xA5A5;
    private const uint Sentinel32 = 0xDEADBEEF;

    public static TheoryData<int> Lengths() => new(HalfConversionTestData.SpanLengths);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Bf16ToF32MatchesTheReferenceAtEveryLength(int length)
    {
        ushort[] source = RandomPatterns(length, seed: length);
        float[] actual = Widen(source, HalfConversions.Bf16ToF32);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(BitConverter.SingleToUInt32Bits(ReferenceHalfConversions.Bf16ToF32(source[i + 1])), BitConverter.SingleToUInt32Bits(actual[i + 1]));
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void F16ToF32MatchesTheReferenceAtEveryLength(int length)
    {
        ushort[] source = RandomPatterns(length, seed: length + 100);
        float[] actual = Widen(source, HalfConversions.F16ToF32);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(BitConverter.SingleToUInt32Bits(ReferenceHalfConversions.F16ToF32(source[i + 1])), BitConverter.SingleToUInt32Bits(actual[i + 1]));
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void F32ToBf16MatchesTheReferenceAtEveryLength(int length)
    {
        float[] source = RandomFloatsWithSpecials(length, seed: length + 200);
        ushort[] actual = Narrow(source, HalfConversions.F32ToBf16);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(ReferenceHalfConversions.F32ToBf16(source[i + 1]), actual[i + 1]);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void F32ToF16MatchesTheReferenceAtEveryLength(int length)
    {
        float[] source = RandomFloatsWithSpecials(length, seed: length + 300);
        ushort[] actual = Narrow(source, HalfConversions.F32ToF16);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(ReferenceHalfConversions.F32ToF16(source[i + 1]), actual[i + 1]);
        }
    }

    [Theory]
    [InlineData(8, 7)]
    [InlineData(7, 8)]
    [InlineData(0, 1)]
    [InlineData(33, 32)]
    public void MismatchedLengthsThrowArgumentException(int sourceLength, int destinationLength)
    {
        Assert.Throws<ArgumentException>(() => HalfConversions.Bf16ToF32(new ushort[sourceLength], new float[destinationLength]));
        Assert.Throws<ArgumentException>(() => HalfConversions.F16ToF32(new ushort[sourceLength], new float[destinationLength]));
        Assert.Throws<ArgumentException>(() => HalfConversions.F32ToBf16(new float[sourceLength], new ushort[destinationLength]));
        Assert.Throws<ArgumentException>(() => HalfConversions.F32ToF16(new float[sourceLength], new ushort[destinationLength]));
    }

    private delegate void WidenSpan(ReadOnlySpan<ushort> source, Span<float> destination);

    private delegate void NarrowSpan(ReadOnlySpan<float> source, Span<ushort> destination);

    // Converts source[1..^1] into destination[1..^1]; returns the whole destination including both sentinels.
    private static float[] Widen(ushort[] source, WidenSpan convert)
    {
        int length = source.Length - 2;
        var destination = new float[length + 2];
        Array.Fill(destination, BitConverter.UInt32BitsToSingle(Sentinel32));
        convert(source.AsSpan(1, length), destination.AsSpan(1, length));
        Assert.Equal(Sentinel32, BitConverter.SingleToUInt32Bits(destination[0]));
        Assert.Equal(Sentinel32, BitConverter.SingleToUInt32Bits(destination[^1]));
        return destination;
    }

    private static ushort[] Narrow(float[] source, NarrowSpan convert)
    {
        int length = source.Length - 2;
        var destination = new ushort[length + 2];
        Array.Fill(destination, Sentinel16);
        convert(source.AsSpan(1, length), destination.AsSpan(1, length));
        Assert.Equal(Sentinel16, destination[0]);
        Assert.Equal(Sentinel16, destination[^1]);
        return destination;
    }

    private static ushort[] RandomPatterns(int length, int seed)
    {
        var random = new Random(seed);
        var patterns = new ushort[length + 2];
        for (int i = 0; i < patterns.Length; i++)
        {
            patterns[i] = (ushort)random.Next(0, 0x10000);
        }

        return patterns;
    }

    private static float[] RandomFloatsWithSpecials(int length, int seed)
    {
        float[] values = HalfConversionTestData.RandomFloats(length + 2, seed);
        float[] specials = [float.NaN, -0f, float.PositiveInfinity, 65520f, 2.5e-8f, BitConverter.UInt32BitsToSingle(0x3F818000)];
        for (int i = 1; i < values.Length - 1; i += 5)
        {
            values[i] = specials[i % specials.Length];
        }

        return values;
    }
}
