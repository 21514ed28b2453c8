namespace LoraMerge.Merging;

/// <summary>
/// How a tensor's rows are cut for merging: blocks of up to <see cref="MaxBlockBytes"/> (one read and one write each:
/// system calls are costly, more so under virtualisation), but at least four blocks per thread while they stay above
/// <see cref="MinBlockBytes"/>, so that all threads get work; the arithmetic runs on slices of
/// <see cref="ComputeRows"/> rows whose f32 values fit a core's cache.
/// </summary>
internal readonly record struct RowBlocks(long Rows, int RowsPerBlock, int ComputeRows)
{
    public const int MaxBlockBytes = 1 << 20;
    public const int MinBlockBytes = 64 << 10;
    private const int ComputeBytes = 64 << 10;

    public int Count => checked((int)((Rows + RowsPerBlock - 1) / RowsPerBlock));

    public long FirstRow(int block) => (long)block * RowsPerBlock;

    public int RowCount(int block) => (int)Math.Min(RowsPerBlock, Rows - FirstRow(block));

    public static RowBlocks For(long rows, long rowBytes, int threads)
    {
        rowBytes = Math.Max(1, rowBytes);
        long target = Math.Clamp(rows * rowBytes / (4L * Math.Max(1, threads)), MinBlockBytes, MaxBlockBytes);
        int rowsPerBlock = (int)Math.Clamp(target / rowBytes, 1, Math.Max(1, rows));
        int computeRows = (int)Math.Clamp(ComputeBytes / rowBytes, 1, rowsPerBlock);
        return new RowBlocks(rows, rowsPerBlock, computeRows);
    }
}
