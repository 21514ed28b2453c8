using System.Buffers;
using LoraMerge.Formats;

namespace LoraMerge.Merging.Cuda;

/// <summary>
/// What one merged tile changed, measured on the host exactly as <see cref="TensorMerger"/> measures it (same
/// widening, same finite check, same statistics), so lora-merge.json does not depend on the backend.
/// </summary>
internal static unsafe class TileChangeStats
{
    private const int TargetChunkBytes = 256 * 1024;

    /// <returns>False when any merged value is NaN or ±Inf (the caller then lets the CPU redo the tensor).</returns>
    public static bool TryMeasure(DType dtype, nint baseRows, nint mergedRows, int rows, int columns, int threads,
        CancellationToken cancellationToken, out long changed, out double maxAbsDelta)
    {
        long rowBytes = (long)columns * DTypes.SizeOf(dtype);
        int rowsPerChunk = (int)Math.Clamp(TargetChunkBytes / rowBytes, 1, rows);
        int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        var changedPerChunk = new long[chunks];
        var deltaPerChunk = new double[chunks];
        int nonFinite = 0;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, chunk =>
        {
            var scratch = ArrayPool<float>.Shared.Rent(2 * columns);
            try
            {
                int first = chunk * rowsPerChunk;
                int end = Math.Min(rows, first + rowsPerChunk);
                for (int row = first; row < end && Volatile.Read(ref nonFinite) == 0; row++)
                {
                    var baseRow = new ReadOnlySpan<byte>((byte*)baseRows + row * rowBytes, (int)rowBytes);
                    var mergedRow = new ReadOnlySpan<byte>((byte*)mergedRows + row * rowBytes, (int)rowBytes);
                    if (!ChangeStats.Measure(dtype, baseRow, mergedRow, scratch, ref changedPerChunk[chunk], ref deltaPerChunk[chunk]))
                        Volatile.Write(ref nonFinite, 1);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        });
        changed = changedPerChunk.Sum();
        maxAbsDelta = deltaPerChunk.Length == 0 ? 0 : deltaPerChunk.Max();
        return nonFinite == 0;
    }
}
