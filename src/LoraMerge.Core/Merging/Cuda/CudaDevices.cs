namespace LoraMerge.Merging.Cuda;

/// <summary>The outcome of looking for a usable CUDA device: the device, or why there is none.</summary>
internal sealed record CudaProbeResult(ICudaDevice? Device, string Failure);

/// <summary>Finds CUDA device 0 through the driver library, without any dependency when CUDA is absent.</summary>
internal static class CudaDevices
{
    public static CudaProbeResult Open() => Open(CudaDriverApi.DefaultLibraryNames);

    public static CudaProbeResult Open(IReadOnlyList<string> libraryNames)
    {
        var api = CudaDriverApi.TryLoad(libraryNames, out string failure);
        if (api is null)
            return new CudaProbeResult(null, failure);
        var device = CudaDevice.TryOpen(api, out failure);
        return new CudaProbeResult(device, failure);
    }
}
