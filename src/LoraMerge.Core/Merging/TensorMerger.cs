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
    public TensorChange Produce(TensorJob job, SafetensorsFile baseFile, TensorWrite write)
    {
        long rows = job.Rows;
        int columns = checked((int)job.Columns);
        var dtype = job.Base.DType;
        long rowBytes = (long)columns * DTypes.SizeOf(dtype);

        using var factors = RowContributions.Load(job, adapterFiles, rows, columns);
        var replacement = ReplacementRows.Load(job.Replacement, adapterFiles, dtype, columns);
        var dora = job.Dora is null ? null : DoraScaling.Prepare(job.Dora, adapterFiles[job.Dora.AdapterIndex], rows, columns);
        var source = new RowSource(baseFile, job.Base.Tensor, rowBytes, replacement);

        if (dora is { PerColumn: true })
            dora.ComputeColumnNorms(rows, columns, (first, count, acc) =>
            {
                var stored = ArrayPool<byte>.Shared.Rent(checked((int)(count * rowBytes)));
                try
                {
                    source.Read(first, count, stored);
                    BuildRows(source, factors, first, count, columns, stored, acc);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(stored);
                }
            }, threads, cancellationToken);

        var blocks = RowBlocks.For(rows, rowBytes, threads);
        var stats = new BlockStats[blocks.Count];
        RunParallel(blocks.Count, block => stats[block] = ProduceBlock(job, source, factors, dora,
            blocks.FirstRow((int)block), blocks.RowCount((int)block), blocks.ComputeRows, columns, rowBytes, write));

        long changed = 0;
        double maxDelta = 0;
        foreach (var s in stats)
        {
            changed += s.Changed;
            maxDelta = Math.Max(maxDelta, s.MaxAbsDelta);
        }
        return new TensorChange(job.Name, job.Action, changed, maxDelta);
    }

    /// <summary>
    /// Merges, checks and writes stored rows [firstRow, firstRow + count): one read and one write for the block, the
    /// arithmetic in slices of <paramref name="computeRows"/> rows so that the f32 rows stay in the core's cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private BlockStats ProduceBlock(TensorJob job, RowSource source, RowContributions factors, DoraScaling? dora,
        long firstRow, int count, int computeRows, int columns, long rowBytes, TensorWrite write)
    {
        int blockBytes = checked((int)(count * rowBytes));
        var output = ArrayPool<byte>.Shared.Rent(blockBytes);
        var baseBytes = ArrayPool<byte>.Shared.Rent(blockBytes);
        var acc = ArrayPool<float>.Shared.Rent(computeRows * columns);
        var scratch = ArrayPool<float>.Shared.Rent(2 * columns);
        try
        {
            var stats = default(BlockStats);
            source.Read(firstRow, count, baseBytes);
            for (int start = 0; start < count; start += computeRows)
            {
                int slice = Math.Min(computeRows, count - start);
                var stored = baseBytes.AsSpan((int)(start * rowBytes), (int)(slice * rowBytes));
                BuildRows(source, factors, firstRow + start, slice, columns, stored, acc);
                for (int i = 0; i < slice; i++)
                {
                    long row = firstRow + start + i;
                    var accRow = acc.AsSpan(i * columns, columns);
                    dora?.Apply(row, accRow);
                    var bytes = new Range((int)((start + i) * rowBytes), (int)((start + i + 1) * rowBytes));
                    bool finite = RowEpilogue.Finish(job.Base.DType, accRow, baseBytes.AsSpan(bytes), output.AsSpan(bytes), scratch,
                        ref stats.Changed, ref stats.MaxAbsDelta);
                    if (!finite && safeMerge)
                        throw NonFinite(job, row);
                }
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

    /// <summary>Rows [firstRow, firstRow + count), stored as <paramref name="stored"/>, widened to f32 with every term applied, adapter by adapter.</summary>
    private static void BuildRows(RowSource source, RowContributions factors, long firstRow, int count, int columns, ReadOnlySpan<byte> stored, Span<float> acc)
    {
        for (int i = 0; i < count; i++)
            source.Widen(firstRow + i, stored.Slice((int)(i * source.RowBytes), (int)source.RowBytes), acc.Slice(i * columns, columns));
        factors.Apply(acc, firstRow, count, columns);
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
            .Concat(job.RowTerms.Select(t => t.AdapterIndex))
            .Concat(job.CombinedTerms.SelectMany(t => t.Inputs.Select(i => i.AdapterIndex)))
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
