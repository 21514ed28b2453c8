using LoraMerge.Merging.Cuda;

namespace LoraMerge.Core.Tests.Cuda;

public sealed class CudaTilePlannerTests
{
    public static TheoryData<long, long, int, int, long> AwkwardSizes() => new()
    {
        { 1, 2, 1, 1, 4096 },
        { 7, 14, 1, 3, 1024 },
        { 4097, 8192, 2, 17, 1 << 20 },
        { 151_936, 1792, 1, 16, 128L << 20 },
        { 200_003, 2, 1, 1, 64L << 20 },
        { 11_008, 16_384, 3, 256 + 64 + 8, 128L << 20 },
        { 1000, 1000, 1, 1, 1788 },
    };

    [Theory]
    [MemberData(nameof(AwkwardSizes))]
    public void EveryRowIsInExactlyOneTileAndEveryTileFitsTheSlot(long rows, long rowBytes, int terms, int totalRank, long slotBytes)
    {
        var plan = CudaTilePlanner.Plan(rows, rowBytes, terms, totalRank, slotBytes);

        Assert.NotNull(plan);
        long next = 0;
        foreach (var tile in plan.Tiles)
        {
            Assert.Equal(next, tile.FirstRow);
            Assert.InRange(tile.Count, 1, Math.Min(plan.RowsPerTile, CudaTilePlanner.MaxRowsPerTile));
            Assert.True(plan.Layout.InputBytes(tile.Count) <= slotBytes);
            Assert.True(plan.Layout.OutputBytes(tile.Count) <= slotBytes);
            Assert.Equal(0, plan.Layout.BaseOffset(tile.Count) % SlotLayout.Alignment);
            Assert.True(plan.Layout.LeftOffset >= (long)terms * SlotLayout.TermRecordBytes);
            next += tile.Count;
        }
        Assert.Equal(rows, next);
        Assert.True(plan.Tiles.Take(plan.Tiles.Count - 1).All(t => t.Count == plan.RowsPerTile), "only the last tile may be short");
    }

    [Fact]
    public void TilesAreAsLargeAsTheSlotAllows()
    {
        var plan = CudaTilePlanner.Plan(rows: 100_000, rowBytes: 1000, termCount: 1, totalRank: 0, slotBytes: 1 << 20);

        Assert.NotNull(plan);
        Assert.True(plan.Layout.InputBytes(plan.RowsPerTile + 1) > 1 << 20, "one more row would still have fit");
    }

    [Fact]
    public void ARowLargerThanTheSlotHasNoPlan()
    {
        Assert.Null(CudaTilePlanner.Plan(rows: 10, rowBytes: 5000, termCount: 1, totalRank: 4, slotBytes: 4096));
    }

    [Fact]
    public void BudgetShrinksToHalfTheFreeMemoryOfSmallDevices()
    {
        var big = CudaMemoryBudget.For(80L << 30);
        var small = CudaMemoryBudget.For(1L << 30);

        Assert.Equal(128L << 20, big.SlotBytes);
        Assert.True(small.DeviceBytes <= 512L << 20);
        Assert.True(small.SlotBytes >= 1 << 20);
    }
}
