using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

public sealed class LowRankKernelTests
{
    // Widths and row counts chosen so that every path runs: 512-bit (32 columns), 256-bit (16), scalar tails, and the
    // single-row loop for the rows left after groups of four.
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(4, 15, 3)]
    [InlineData(4, 16, 8)]
    [InlineData(5, 31, 16)]
    [InlineData(8, 32, 16)]
    [InlineData(7, 48, 5)]
    [InlineData(9, 83, 16)]
    [InlineData(12, 130, 64)]
    public void AddTermEqualsSequentialScalarArithmeticBitForBit(int rows, int columns, int rank)
    {
        var random = new Random(rows * 1000 + columns * 10 + rank);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * (random.Next(4) == 0 ? 1e-3f : 1f)).ToArray();
        var acc = Values(rows * columns);
        var left = Values(rows * rank);
        var right = Values(rank * columns);
        const float scale = 0.37f;

        var expected = (float[])acc.Clone();
        for (int p = 0; p < rows; p++)
            for (int c = 0; c < columns; c++)
            {
                float dot = 0f;
                for (int k = 0; k < rank; k++)
                    dot += left[p * rank + k] * right[k * columns + c];
                expected[p * columns + c] += dot * scale;
            }

        LowRankKernel.AddTerm(acc, rows, columns, left, rank, right, scale);

        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), acc.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void AddTermRejectsFactorsThatDoNotFitTheBlock()
    {
        Assert.Throws<ArgumentException>(() => LowRankKernel.AddTerm(new float[8], 2, 4, new float[2], 1, new float[3], 1f));
    }
}
