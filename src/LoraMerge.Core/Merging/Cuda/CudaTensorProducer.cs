using LoraMerge.Diagnostics;
using LoraMerge.Formats;

namespace LoraMerge.Merging.Cuda;

/// <summary>
/// Merges plain low-rank terms on a CUDA device, tile by tile through a two-slot pipeline, with the CPU's arithmetic
/// (see Kernel/lora_merge.cu). Everything else — DoRA, replacements, bias terms, factors over the memory budget —
/// and any tensor whose result holds NaN or ±Inf goes to the CPU producer, so the bytes and errors are the CPU's.
/// </summary>
internal sealed unsafe class CudaTensorProducer(
    ICudaDevice device,
    CudaMemoryBudget budget,
    ITensorProducer cpu,
    IReadOnlyList<SafetensorsFile> adapterFiles,
    int threads,
    CancellationToken cancellationToken) : ITensorProducer, IDisposable
{
    private CudaPipelineSlot[]? _slots;

    /// <summary>Tensors merged on the device so far (the rest went to the CPU).</summary>
    public int TensorsOnDevice { get; private set; }

    public static bool CanRun(TensorJob job) =>
        job.Replacement is null && job.Dora is null && job.Terms.Count > 0 && job.RowTerms.Count == 0 && job.CombinedTerms.Count == 0
        && !job.RoundsAfterEachAdapter && job.Terms.All(t => !t.CastsDelta)
        && job.Terms.All(t => t.Orientation != FactorOrientation.Bias)
        && job.Base.Shape.Length >= 2
        && job.Base.DType is DType.F32 or DType.BF16 or DType.F16
        && job.Columns <= int.MaxValue;

    public TensorChange Produce(TensorJob job, SafetensorsFile baseFile, TensorWrite write)
    {
        if (!CanRun(job))
            return cpu.Produce(job, baseFile, write);

        long rows = job.Rows;
        int columns = (int)job.Columns;
        var factors = job.Terms.Select(t => FactorMatrices.Load(t, adapterFiles[t.AdapterIndex], rows, columns)).ToArray();
        try
        {
            long rowBytes = (long)columns * DTypes.SizeOf(job.Base.DType);
            var plan = CudaTilePlanner.Plan(rows, rowBytes, factors.Length, factors.Sum(f => f.Rank), budget.SlotBytes);
            long[] rightOffsets = RightOffsets(factors, columns, out long rightBytes);
            if (plan is null || rightBytes > budget.FactorBytes)
                return cpu.Produce(job, baseFile, write);
            return ProduceOnDevice(job, baseFile, write, factors, plan, rightOffsets, rightBytes);
        }
        catch (CudaException e)
        {
            throw new LoraException(ErrorCodes.BackendUnavailable,
                $"The CUDA backend failed while merging '{job.Name}': {e.Message}. Merge with the cpu backend instead.");
        }
        finally
        {
            foreach (var f in factors)
                f.Dispose();
        }
    }

    private TensorChange ProduceOnDevice(TensorJob job, SafetensorsFile baseFile, TensorWrite write,
        FactorMatrices[] factors, TilePlan plan, long[] rightOffsets, long rightBytes)
    {
        device.MakeCurrent();
        var slots = _slots ??= [new CudaPipelineSlot(device, budget.SlotBytes), new CudaPipelineSlot(device, budget.SlotBytes)];
        ulong right = device.AllocateDevice(rightBytes);
        try
        {
            for (int t = 0; t < factors.Length; t++)
                fixed (float* r = factors[t].Right)
                {
                    device.CopyToDeviceAsync(right + (ulong)rightOffsets[t], (nint)r, (long)factors[t].Right.Length * sizeof(float), slots[0].Stream);
                    device.Synchronize(slots[0].Stream);
                }

            var basePointer = (nint)baseFile.GetPointer(job.Base.Tensor);
            long changed = 0;
            double maxDelta = 0;
            long writtenPrefix = 0;
            bool allFinite = true;

            bool Finish(CudaPipelineSlot slot)
            {
                if (slot.Pending is not { } done)
                    return true;
                slot.Pending = null;
                device.Synchronize(slot.Stream);
                long offset = done.FirstRow * plan.Layout.RowBytes;
                if (!TileChangeStats.TryMeasure(job.Base.DType, basePointer + (nint)offset, slot.HostOutput, done.Count, (int)job.Columns,
                        threads, cancellationToken, out long tileChanged, out double tileDelta))
                    return false;
                long bytes = plan.Layout.OutputBytes(done.Count);
                write(offset, new ReadOnlySpan<byte>((void*)slot.HostOutput, (int)bytes));
                writtenPrefix = offset + bytes;
                changed += tileChanged;
                maxDelta = Math.Max(maxDelta, tileDelta);
                return true;
            }

            for (int i = 0; i < plan.Tiles.Count && allFinite; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var slot = slots[i % slots.Length];
                allFinite = Finish(slot);
                if (allFinite)
                    Enqueue(job, slot, plan, plan.Tiles[i], factors, basePointer, right, rightOffsets);
            }
            for (int i = 0; i < slots.Length && allFinite; i++)
                allFinite = Finish(slots[(plan.Tiles.Count + i) % slots.Length]);
            Drain(slots);

            if (allFinite)
            {
                TensorsOnDevice++;
                return new TensorChange(job.Name, job.Action, changed, maxDelta);
            }
            // NaN/Inf: the CPU redoes the tensor (skipping what is already written) so the error, or with safe merge
            // off the exact NaN bits, are the CPU's.
            return cpu.Produce(job, baseFile, SkipPrefix(write, writtenPrefix));
        }
        finally
        {
            Drain(slots);
            device.FreeDevice(right);
        }
    }

    private void Enqueue(TensorJob job, CudaPipelineSlot slot, TilePlan plan, RowTile tile, FactorMatrices[] factors,
        nint basePointer, ulong right, long[] rightOffsets)
    {
        var layout = plan.Layout;
        byte* input = (byte*)slot.HostInput;
        int rankBefore = 0;
        for (int t = 0; t < factors.Length; t++)
        {
            var f = factors[t];
            long leftOffset = layout.LeftOffsetOfTerm(tile.Count, rankBefore);
            byte* record = input + layout.TermTableOffset + t * SlotLayout.TermRecordBytes;
            *(ulong*)record = slot.DeviceInput + (ulong)leftOffset;
            *(ulong*)(record + 8) = right + (ulong)rightOffsets[t];
            *(int*)(record + 16) = f.Rank;
            *(float*)(record + 20) = f.Scale;
            f.LeftRows(tile.FirstRow, tile.Count)
                .CopyTo(new Span<float>(input + leftOffset, tile.Count * f.Rank));
            rankBefore += f.Rank;
        }
        long baseOffset = layout.BaseOffset(tile.Count);
        long baseBytes = layout.OutputBytes(tile.Count);
        Buffer.MemoryCopy((byte*)basePointer + tile.FirstRow * layout.RowBytes, input + baseOffset, baseBytes, baseBytes);

        device.CopyToDeviceAsync(slot.DeviceInput, slot.HostInput, layout.InputBytes(tile.Count), slot.Stream);
        device.LaunchMerge(job.Base.DType, slot.Stream, CudaLaunchShape.For(tile.Count, (int)job.Columns),
            slot.DeviceInput + (ulong)baseOffset, slot.DeviceOutput, slot.DeviceInput + (ulong)layout.TermTableOffset, factors.Length, (int)job.Columns);
        device.CopyToHostAsync(slot.HostOutput, slot.DeviceOutput, baseBytes, slot.Stream);
        slot.Pending = tile;
    }

    private void Drain(CudaPipelineSlot[] slots)
    {
        foreach (var slot in slots)
        {
            device.Synchronize(slot.Stream);
            slot.Pending = null;
        }
    }

    private static long[] RightOffsets(FactorMatrices[] factors, int columns, out long total)
    {
        var offsets = new long[factors.Length];
        total = 0;
        for (int t = 0; t < factors.Length; t++)
        {
            offsets[t] = total;
            total += SlotLayout.Align((long)factors[t].Rank * columns * sizeof(float));
        }
        return offsets;
    }

    /// <summary>Passes on only the bytes at or after <paramref name="prefix"/>, which the device has not written.</summary>
    internal static TensorWrite SkipPrefix(TensorWrite write, long prefix) => (offset, bytes) =>
    {
        if (offset + bytes.Length <= prefix)
            return;
        if (offset >= prefix)
            write(offset, bytes);
        else
            write(prefix, bytes[(int)(prefix - offset)..]);
    };

    public void Dispose()
    {
        if (_slots is null)
            return;
        device.MakeCurrent();
        foreach (var slot in _slots)
            slot.Dispose();
        _slots = null;
    }
}
