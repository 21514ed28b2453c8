using System.Buffers;
using System.Runtime.CompilerServices;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;

namespace LoraMerge.Merging;

/// <summary>
/// Produces the bytes of one changed tensor, row block by row block on all allowed threads. Each stored row is widened
/// to f32, gets every term added in adapter order, is optionally DoRA-rescaled, checked, and rounded once.
/// </summary>
internal sealed class TensorMerger(
    IReadOnlyList<SafetensorsFile> adapterFiles,
    Func<int, string> adapterName,
    int threads,
    bool safeMerge,
    CancellationToken cancellationToken) : ITensorProducer
{
    private const int TargetBlockBytes = 64 * 1024;

    public TensorChange Produce(TensorJob job, SafetensorsFile baseFile, TensorWrite write)
    {
        long rows = job.Rows;
        int columns = checked((int)job.Columns);
        var dtype = job.Base.DType;
        long rowBytes = (long)columns * DTypes.SizeOf(dtype);

        var factors = job.Terms
            .Select(t => FactorMatrices.Load(t, adapterFiles[t.AdapterIndex], rows, columns))
            .ToArray();
        var replacement = ReplacementRows.Load(job.Replacement, adapterFiles, dtype, columns);
        var dora = job.Dora is null ? null : DoraScaling.Prepare(job.Dora, adapterFiles[job.Dora.AdapterIndex], rows, columns);

        var source = new RowSource(baseFile, job.Base.Tensor, rowBytes, replacement);

        if (dora is { PerColumn: true })
            dora.ComputeColumnNorms(rows, columns, (first, count, acc) =>
            {
                var stored = ArrayPool<byte>.Shared.Rent(checked((int)(count * rowBytes)));
                try
                {
                    BuildRows(source, factors, first, count, columns, stored, acc);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(stored);
                }
            }, threads, cancellationToken);

        int rowsPerBlock = (int)Math.Clamp(TargetBlockBytes / Math.Max(1, rowBytes), 1, Math.Max(1, rows));
        long blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
        var stats = new BlockStats[blocks];

        RunParallel(blocks, block => stats[block] = ProduceBlock(job, source, factors, dora, block * rowsPerBlock,
            (int)Math.Min(rowsPerBlock, rows - block * rowsPerBlock), columns, rowBytes, write));

        long changed = 0;
        double maxDelta = 0;
        foreach (var s in stats)
        {
            changed += s.Changed;
            maxDelta = Math.Max(maxDelta, s.MaxAbsDelta);
        }
        return new TensorChange(job.Name, job.Action, changed, maxDelta);
    }

    /// <summary>Merges, checks and writes stored rows [firstRow, firstRow + count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private BlockStats ProduceBlock(TensorJob job, RowSource source, FactorMatrices[] factors, DoraScaling? dora,
        long firstRow, int count, int columns, long rowBytes, TensorWrite write)
    {
        int blockBytes = checked((int)(count * rowBytes));
        var output = ArrayPool<byte>.Shared.Rent(blockBytes);
        var baseBytes = ArrayPool<byte>.Shared.Rent(blockBytes);
        var acc = ArrayPool<float>.Shared.Rent(count * columns);
        var scratch = ArrayPool<float>.Shared.Rent(2 * columns);
        try
        {
            var stats = default(BlockStats);
            BuildRows(source, factors, firstRow, count, columns, baseBytes, acc);
            for (int i = 0; i < count; i++)
            {
                long row = firstRow + i;
                var accRow = acc.AsSpan(i * columns, columns);
                dora?.Apply(row, accRow);
                var slice = new Range((int)(i * rowBytes), (int)((i + 1) * rowBytes));
                bool finite = RowEpilogue.Finish(job.Base.DType, accRow, baseBytes.AsSpan(slice), output.AsSpan(slice), scratch,
                    ref stats.Changed, ref stats.MaxAbsDelta);
                if (!finite && safeMerge)
                    throw NonFinite(job, row);
            }
            write(firstRow * rowBytes, output.AsSpan(0, blockBytes));
            return stats;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
            ArrayPool<byte>.Shared.Return(baseBytes);
            ArrayPool<float>.Shared.Return(acc);
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>Rows [firstRow, firstRow + count) widened to f32 with every term added, adapter by adapter.</summary>
    private static void BuildRows(RowSource source, FactorMatrices[] factors, long firstRow, int count, int columns, byte[] baseBytes, Span<float> acc)
    {
        source.Read(firstRow, count, baseBytes);
        for (int i = 0; i < count; i++)
            source.Widen(firstRow + i, baseBytes.AsSpan((int)(i * source.RowBytes), (int)source.RowBytes), acc.Slice(i * columns, columns));
        foreach (var f in factors)
            LowRankKernel.AddTerm(acc, count, columns, f.LeftRows(firstRow, count), f.Rank, f.Right, f.Scale);
    }

    private void RunParallel(long count, Action<long> body)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is LoraException or OperationCanceledException) is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
        }
    }

    private LoraException NonFinite(TensorJob job, long row)
    {
        var contributors = job.Terms.Select(t => t.AdapterIndex)
            .Concat(job.Replacement is null ? [] : [job.Replacement.AdapterIndex])
            .Concat(job.Dora is null ? [] : [job.Dora.AdapterIndex])
            .Distinct().ToArray();
        string names = string.Join(", ", contributors.Select(adapterName));
        string file = adapterFiles[contributors[0]].FilePath;
        return new LoraException(ErrorCodes.NonFiniteResult,
            $"Merging adapter {names} into tensor '{job.Name}' produced NaN or ±Inf (row {row}); the adapter seems to be broken. " +
            "Nothing was written. Merge without safe merge to write the result anyway.", file);
    }

    /// <summary>Where a row's starting values come from: the base tensor, or an adapter's replacement rows.</summary>
    /// <remarks>
    /// Rows are read (pread), not taken from the mapping: on some hypervisors the first touch of every mapped page
    /// traps, which costs more than the copy.
    /// </remarks>
    private sealed class RowSource(SafetensorsFile file, TensorInfo tensor, long rowBytes, ReplacementRows? replacement)
    {
        public long RowBytes => rowBytes;

        /// <summary>Reads the stored bytes of rows [firstRow, firstRow + count).</summary>
        public void Read(long firstRow, int count, byte[] destination)
        {
            int length = checked((int)(count * rowBytes));
            for (int done = 0; done < length;)
            {
                int n = file.Read(tensor, firstRow * rowBytes + done, destination.AsSpan(done, length - done));
                if (n <= 0)
                    throw new LoraException(ErrorCodes.RangeOutsideFile, $"The file ended inside tensor '{tensor.Name}'.", file.FilePath);
                done += n;
            }
        }

        public void Widen(long row, ReadOnlySpan<byte> stored, Span<float> destination)
        {
            if (replacement is not null && replacement.TryGetRow(row, destination))
                return;
            FloatReader.Widen(tensor.DType, stored, destination, file.FilePath, tensor.Name);
        }
    }

    private struct BlockStats
    {
        public long Changed;
        public double MaxAbsDelta;
    }
}
