namespace LoraMerge.Merging.Cuda;

/// <summary>Rows <c>[FirstRow, FirstRow + Count)</c> of a tensor, merged by one kernel launch.</summary>
internal readonly record struct RowTile(long FirstRow, int Count);

/// <summary>
/// Where things sit in one slot's input buffer (host and device alike): the term table, then every term's L rows for
/// the tile (term after term), then the base rows. The output buffer holds just the merged rows.
/// </summary>
internal readonly record struct SlotLayout(int TermCount, int TotalRank, long RowBytes)
{
    public const int Alignment = 256;
    public const int TermRecordBytes = 24;

    public long TermTableOffset => 0;
    public long LeftOffset => Align((long)TermCount * TermRecordBytes);
    public long BaseOffset(int rows) => Align(LeftOffset + (long)rows * TotalRank * sizeof(float));
    public long LeftOffsetOfTerm(int rows, int rankBefore) => LeftOffset + (long)rows * rankBefore * sizeof(float);
    public long InputBytes(int rows) => BaseOffset(rows) + rows * RowBytes;
    public long OutputBytes(int rows) => rows * RowBytes;

    public static long Align(long value) => (value + Alignment - 1) / Alignment * Alignment;
}

/// <summary>Row tiles of one tensor, each small enough for one pipeline slot.</summary>
internal sealed record TilePlan(SlotLayout Layout, int RowsPerTile, IReadOnlyList<RowTile> Tiles);

/// <summary>Splits a tensor into row tiles that fit a slot's byte budget, so device memory stays bounded.</summary>
internal static class CudaTilePlanner
{
    /// <summary>A launch covers at most this many rows (the grid's y dimension limit).</summary>
    public const int MaxRowsPerTile = 65535;

    /// <returns>The plan, or null when not even one row fits in <paramref name="slotBytes"/>.</returns>
    public static TilePlan? Plan(long rows, long rowBytes, int termCount, int totalRank, long slotBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowBytes);
        var layout = new SlotLayout(termCount, totalRank, rowBytes);
        long perRow = rowBytes + (long)totalRank * sizeof(float);
        long available = slotBytes - layout.LeftOffset - SlotLayout.Alignment;
        if (available < perRow)
            return null;
        int rowsPerTile = (int)Math.Min(Math.Min(available / perRow, MaxRowsPerTile), rows);
        while (rowsPerTile > 0 && layout.InputBytes(rowsPerTile) > slotBytes)
            rowsPerTile--;
        if (rowsPerTile == 0)
            return null;

        var tiles = new List<RowTile>((int)((rows + rowsPerTile - 1) / rowsPerTile));
        for (long first = 0; first < rows; first += rowsPerTile)
            tiles.Add(new RowTile(first, (int)Math.Min(rowsPerTile, rows - first)));
        return new TilePlan(layout, rowsPerTile, tiles);
    }
}
