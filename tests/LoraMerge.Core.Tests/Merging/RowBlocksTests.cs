using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

public sealed class RowBlocksTests
{
    [Theory]
    [InlineData(2048L, 4096L, 1)]      // bf16 2048×2048: 1 MiB blocks
    [InlineData(2048L, 4096L, 16)]     // many threads: smaller blocks so that every thread gets several
    [InlineData(3L, 100_000_000L, 4)]  // rows larger than a block: one row per block
    [InlineData(1L, 8L, 2)]
    [InlineData(32000L, 11264L, 1)]
    public void BlocksCoverEveryRowOnceInOrder(long rows, long rowBytes, int threads)
    {
        var blocks = RowBlocks.For(rows, rowBytes, threads);
        long next = 0;
        for (int b = 0; b < blocks.Count; b++)
        {
            Assert.Equal(next, blocks.FirstRow(b));
            Assert.InRange(blocks.RowCount(b), 1, blocks.RowsPerBlock);
            next += blocks.RowCount(b);
        }
        Assert.Equal(rows, next);
        Assert.InRange(blocks.ComputeRows, 1, blocks.RowsPerBlock);
        Assert.True(blocks.RowsPerBlock == 1 || blocks.RowsPerBlock * rowBytes <= RowBlocks.MaxBlockBytes);
    }

    [Fact]
    public void ManyThreadsGetAtLeastFourBlocksEachWhileBlocksStayAboveTheMinimum()
    {
        var blocks = RowBlocks.For(2048, 4096, 16);
        Assert.True(blocks.Count >= 4 * 16 || blocks.RowsPerBlock * 4096L <= RowBlocks.MinBlockBytes);
        Assert.Equal(256, RowBlocks.For(2048, 4096, 1).RowsPerBlock);
    }
}
