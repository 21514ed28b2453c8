using System.Runtime.InteropServices;
using LoraMerge.Merging;
using LoraMerge.Numerics;

namespace LoraMerge.Core.Tests.Merging;

public sealed class Bf16RowEpilogueTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(2050)]
    public void MatchesNarrowingAndStatisticsDoneSeparately(int length)
    {
        var random = new Random(length);
        var baseBits = new ushort[length];
        var merged = new float[length];
        for (int i = 0; i < length; i++)
        {
            baseBits[i] = HalfConversions.F32ToBf16((float)(random.NextDouble() - 0.5));
            // Half the values unchanged, the rest moved by amounts around one bf16 ulp, some exactly on a tie.
            float b = HalfConversions.Bf16ToF32(baseBits[i]);
            merged[i] = (i % 2) switch { 0 => b, _ => b + (float)(random.NextDouble() - 0.5) * Math.Abs(b) / 64 };
        }
        var output = new byte[length * 2];
        long changed = 0;
        double maxDelta = 0;
        Assert.True(Bf16RowEpilogue.Finish(merged, MemoryMarshal.AsBytes(baseBits.AsSpan()), output, ref changed, ref maxDelta));

        var expected = new ushort[length];
        HalfConversions.F32ToBf16(merged, expected);
        Assert.Equal(expected, MemoryMarshal.Cast<byte, ushort>(output).ToArray());
        Assert.Equal(expected.Zip(baseBits).Count(p => p.First != p.Second), changed);
        double expectedMax = expected.Zip(baseBits).Max(p => (double)Math.Abs(HalfConversions.Bf16ToF32(p.First) - HalfConversions.Bf16ToF32(p.Second)));
        Assert.Equal(expectedMax, maxDelta);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.MaxValue)] // rounds up to bf16 +Inf
    public void ReportsValuesThatAreNotFinite(float bad)
    {
        foreach (int position in new[] { 5, 33 }) // in the vector body and in the scalar tail
        {
            var merged = Enumerable.Repeat(0.5f, 40).ToArray();
            merged[position] = bad;
            long changed = 0;
            double maxDelta = 0;
            Assert.False(Bf16RowEpilogue.Finish(merged, new byte[80], new byte[80], ref changed, ref maxDelta));
            Assert.True(double.IsFinite(maxDelta));
        }
    }
}
