using System.Runtime.InteropServices;
using LoraMerge.Formats;
using LoraMerge.Merging.Cuda;
using LoraMerge.Numerics;

namespace LoraMerge.Core.Tests.Cuda;

/// <summary>
/// An <see cref="ICudaDevice"/> whose "device memory" is native memory it tracks, whose streams queue work until
/// synchronized (so a host buffer reused too early shows up as wrong bytes), and whose kernel is a C# emulation of
/// Kernel/lora_merge.cu's arithmetic: products and sums rounded separately, adapters in order, one final rounding.
/// </summary>
internal sealed unsafe class EmulatedCudaDevice : ICudaDevice
{
    private readonly Dictionary<nint, long> _host = [];
    private readonly Dictionary<ulong, long> _device = [];
    private readonly Dictionary<nint, Queue<Action>> _streams = [];
    private nint _nextStream = 1;
    private long _deviceBytesInUse;

    public EmulatedCudaDevice(long freeMemory = 8L << 30) => FreeMemory = freeMemory;

    public string Description => "Emulated device (compute capability 5.2)";
    public long FreeMemory { get; }
    public int Launches { get; private set; }
    public long PeakDeviceBytes { get; private set; }
    public int LiveAllocations => _host.Count + _device.Count + _streams.Count;
    public bool Disposed { get; private set; }

    public void MakeCurrent() { }

    public nint AllocateHost(long bytes)
    {
        var p = (nint)NativeMemory.AlignedAlloc((nuint)bytes, 256);
        _host[p] = bytes;
        return p;
    }

    public void FreeHost(nint pointer)
    {
        Assert.True(_host.Remove(pointer), "freeing an unknown pinned buffer");
        NativeMemory.AlignedFree((void*)pointer);
    }

    public ulong AllocateDevice(long bytes)
    {
        var p = (ulong)NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 256);
        _device[p] = bytes;
        _deviceBytesInUse += bytes;
        PeakDeviceBytes = Math.Max(PeakDeviceBytes, _deviceBytesInUse);
        return p;
    }

    public void FreeDevice(ulong pointer)
    {
        Assert.True(_device.Remove(pointer, out long bytes), "freeing unknown device memory");
        _deviceBytesInUse -= bytes;
        NativeMemory.AlignedFree((void*)pointer);
    }

    public nint CreateStream()
    {
        var s = _nextStream++;
        _streams[s] = new Queue<Action>();
        return s;
    }

    public void DestroyStream(nint stream)
    {
        Assert.Empty(_streams[stream]);
        _streams.Remove(stream);
    }

    public void CopyToDeviceAsync(ulong destination, nint source, long bytes, nint stream)
    {
        AssertInside(_device, destination, bytes, "device destination");
        bool pinned = _host.Keys.Any(h => source >= h && source + bytes <= h + _host[h]);
        _streams[stream].Enqueue(() => Buffer.MemoryCopy((void*)source, (void*)destination, bytes, bytes));
        if (!pinned)
            Synchronize(stream); // the driver stages pageable memory before returning
    }

    public void CopyToHostAsync(nint destination, ulong source, long bytes, nint stream)
    {
        AssertInside(_device, source, bytes, "device source");
        Assert.Contains(_host.Keys, h => destination >= h && destination + bytes <= h + _host[h]);
        _streams[stream].Enqueue(() => Buffer.MemoryCopy((void*)source, (void*)destination, bytes, bytes));
    }

    public void LaunchMerge(DType dtype, nint stream, CudaLaunchShape shape, ulong baseTile, ulong outputTile, ulong terms, int termCount, int columns)
    {
        Assert.True(shape.GridY <= CudaTilePlanner.MaxRowsPerTile);
        Assert.True(shape.GridX * shape.BlockX >= columns);
        Launches++;
        _streams[stream].Enqueue(() => RunKernel(dtype, (int)shape.GridY, baseTile, outputTile, terms, termCount, columns));
    }

    public void Synchronize(nint stream)
    {
        var queue = _streams[stream];
        while (queue.TryDequeue(out var work))
            work();
    }

    public void Dispose() => Disposed = true;

    private void RunKernel(DType dtype, int rows, ulong baseTile, ulong outputTile, ulong terms, int termCount, int columns)
    {
        int size = DTypes.SizeOf(dtype);
        AssertInside(_device, baseTile, (long)rows * columns * size, "base tile");
        AssertInside(_device, outputTile, (long)rows * columns * size, "output tile");
        AssertInside(_device, terms, termCount * 24L, "term table");
        for (long row = 0; row < rows; row++)
            for (long column = 0; column < columns; column++)
            {
                long index = row * columns + column;
                float acc = dtype switch
                {
                    DType.F32 => ((float*)baseTile)[index],
                    DType.BF16 => HalfConversions.Bf16ToF32(((ushort*)baseTile)[index]),
                    _ => HalfConversions.F16ToF32(((ushort*)baseTile)[index]),
                };
                for (int t = 0; t < termCount; t++)
                {
                    byte* record = (byte*)terms + t * 24;
                    var left = (float*)*(ulong*)record;
                    var right = (float*)*(ulong*)(record + 8);
                    int rank = *(int*)(record + 16);
                    float scale = *(float*)(record + 20);
                    AssertInside(_device, (ulong)(left + row * rank), rank * 4L, "L row");
                    float dot = 0f;
                    for (int k = 0; k < rank; k++)
                    {
                        float product = left[row * rank + k] * right[(long)k * columns + column];
                        dot += product;
                    }
                    float term = dot * scale;
                    acc += term;
                }
                switch (dtype)
                {
                    case DType.F32: ((float*)outputTile)[index] = acc; break;
                    case DType.BF16: ((ushort*)outputTile)[index] = HalfConversions.F32ToBf16(acc); break;
                    default: ((ushort*)outputTile)[index] = HalfConversions.F32ToF16(acc); break;
                }
            }
    }

    private static void AssertInside(Dictionary<ulong, long> allocations, ulong pointer, long bytes, string what) =>
        Assert.True(allocations.Any(a => pointer >= a.Key && pointer + (ulong)bytes <= a.Key + (ulong)a.Value),
            $"{what} [{pointer:X}, +{bytes}) is outside every device allocation");
}
