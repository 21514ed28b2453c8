using System.Buffers;
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
        int elementSize = DTypes.SizeOf(dtype);
        long rowBytes = (long)columns * elementSize;

        var factors = job.Terms
            .Select(t => FactorMatrices.Load(t, adapterFiles[t.AdapterIndex], rows, columns))
            .ToArray();
        var replacement = ReplacementRows.Load(job.Replacement, adapterFiles, dtype, columns);
        var dora = job.Dora is null ? null : DoraScaling.Prepare(job.Dora, adapterFiles[job.Dora.AdapterIndex], rows, columns);

        var source = new RowSource(baseFile, job.Base.Tensor, rowBytes, replacement);

        if (dora is { PerColumn: true })
            dora.ComputeColumnNorms(rows, columns, (row, acc) =>
            {
                var rowBytesBuffer = new byte[rowBytes];
                BuildRows(source, factors, row, 1, columns, rowBytesBuffer, acc);
            }, threads, cancellationToken);

        int rowsPerBlock = (int)Math.Clamp(TargetBlockBytes / Math.Max(1, rowBytes), 1, Math.Max(1, rows));
        long blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
        var stats = new BlockStats[blocks];

        RunParallel(blocks, block =>
        {
            long firstRow = block * rowsPerBlock;
            int count = (int)Math.Min(rowsPerBlock, rows - firstRow);
            int blockBytes = checked((int)(count * rowBytes));
            var output = ArrayPool<byte>.Shared.Rent(blockBytes);
            var baseBytes = ArrayPool<byte>.Shared.Rent(blockBytes);
            var acc = ArrayPool<float>.Shared.Rent(count * columns);
            var before = ArrayPool<float>.Shared.Rent(columns);
            var written = ArrayPool<float>.Shared.Rent(columns);
            try
            {
                var blockStats = default(BlockStats);
                BuildRows(source, factors, firstRow, count, columns, baseBytes, acc);
                for (int i = 0; i < count; i++)
                {
                    long row = firstRow + i;
                    var accRow = acc.AsSpan(i * columns, columns);
                    dora?.Apply(row, accRow);
                    var outRow = output.AsSpan((int)(i * rowBytes), (int)rowBytes);
                    var baseRow = baseBytes.AsSpan((int)(i * rowBytes), (int)rowBytes);
                    if (dtype == DType.BF16)
                    {
                        if (!Bf16RowEpilogue.Finish(accRow, baseRow, outRow, ref blockStats.Changed, ref blockStats.MaxAbsDelta) && safeMerge)
                            throw NonFinite(job, row);
                        continue;
                    }
                    FloatReader.Narrow(dtype, accRow, outRow);
                    if (safeMerge && (!LowRankKernel.AllFinite(accRow) || ChangeStats.HasInfinity(dtype, outRow)))
                        throw NonFinite(job, row);
                    var beforeRow = before.AsSpan(0, columns);
                    var writtenRow = written.AsSpan(0, columns);
                    FloatReader.Widen(dtype, baseRow, beforeRow, baseFile.FilePath, job.Name);
                    FloatReader.Widen(dtype, outRow, writtenRow, baseFile.FilePath, job.Name);
                    blockStats.Changed += ChangeStats.CountDifferent(baseRow, outRow, elementSize);
                    blockStats.MaxAbsDelta = Math.Max(blockStats.MaxAbsDelta, ChangeStats.MaxAbsDifference(beforeRow, writtenRow));
                }
                write(firstRow * rowBytes, output.AsSpan(0, (int)(count * rowBytes)));
                stats[block] = blockStats;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(output);
                ArrayPool<float>.Shared.Return(acc);
                ArrayPool<byte>.Shared.Return(baseBytes);
                ArrayPool<float>.Shared.Return(before);
                ArrayPool<float>.Shared.Return(written);
            }
        });

        long changed = 0;
        double maxDelta = 0;
        foreach (var s in stats)
        {
            changed += s.Changed;
            maxDelta = Math.Max(maxDelta, s.MaxAbsDelta);
        }
        return new TensorChange(job.Name, job.Action, changed, maxDelta);
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
