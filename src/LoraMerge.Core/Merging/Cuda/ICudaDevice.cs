using LoraMerge.Formats;

namespace LoraMerge.Merging.Cuda;

/// <summary>
/// The driver calls the CUDA producer makes, so its orchestration can run against an emulated device in tests.
/// Work queued on a stream runs in order; host buffers from <see cref="AllocateHost"/> are pinned.
/// </summary>
internal interface ICudaDevice : IDisposable
{
    /// <summary>For the one informational message, e.g. "NVIDIA H100 80GB HBM3 (compute capability 9.0)".</summary>
    string Description { get; }

    /// <summary>Device memory free now, in bytes.</summary>
    long FreeMemory { get; }

    /// <summary>Binds the device's context to the calling thread.</summary>
    void MakeCurrent();

    nint AllocateHost(long bytes);

    void FreeHost(nint pointer);

    ulong AllocateDevice(long bytes);

    void FreeDevice(ulong pointer);

    nint CreateStream();

    void DestroyStream(nint stream);

    void CopyToDeviceAsync(ulong destination, nint source, long bytes, nint stream);

    void CopyToHostAsync(nint destination, ulong source, long bytes, nint stream);

    /// <summary>Queues the merge kernel for <paramref name="dtype"/> (see Kernel/lora_merge.cu for its arguments).</summary>
    void LaunchMerge(DType dtype, nint stream, CudaLaunchShape shape, ulong baseTile, ulong outputTile, ulong terms, int termCount, int columns);

    /// <summary>Waits until everything queued on <paramref name="stream"/> has run.</summary>
    void Synchronize(nint stream);
}

/// <summary>Grid (columns in blocks of <see cref="BlockX"/> threads × rows of the tile) of one launch.</summary>
internal readonly record struct CudaLaunchShape(uint GridX, uint GridY, uint BlockX)
{
    public const uint ThreadsPerBlock = 256;

    public static CudaLaunchShape For(int rows, int columns) =>
        new((uint)((columns + ThreadsPerBlock - 1) / ThreadsPerBlock), (uint)rows, ThreadsPerBlock);
}
