namespace LoraMerge.Merging.Cuda;

/// <summary>
/// One stage of the two-deep pipeline: pinned host buffers, their device twins and a stream. While one slot's copies
/// and kernel run, the host fills the other slot from the memory-mapped base and writes out its finished tile.
/// </summary>
internal sealed class CudaPipelineSlot : IDisposable
{
    private readonly ICudaDevice _device;

    public CudaPipelineSlot(ICudaDevice device, long bytes)
    {
        _device = device;
        Stream = device.CreateStream();
        HostInput = device.AllocateHost(bytes);
        HostOutput = device.AllocateHost(bytes);
        DeviceInput = device.AllocateDevice(bytes);
        DeviceOutput = device.AllocateDevice(bytes);
    }

    public nint Stream { get; }
    public nint HostInput { get; }
    public nint HostOutput { get; }
    public ulong DeviceInput { get; }
    public ulong DeviceOutput { get; }

    /// <summary>The tile queued on this slot and not yet written out.</summary>
    public RowTile? Pending { get; set; }

    public void Dispose()
    {
        _device.Synchronize(Stream);
        _device.FreeDevice(DeviceOutput);
        _device.FreeDevice(DeviceInput);
        _device.FreeHost(HostOutput);
        _device.FreeHost(HostInput);
        _device.DestroyStream(Stream);
    }
}
