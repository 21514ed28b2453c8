using LoraMerge.Diagnostics;
using LoraMerge.Merging;
using LoraMerge.Merging.Cuda;
using LoraMerge.Tests.Shared;

namespace LoraMerge.Core.Tests.Cuda;

/// <summary>The backend choice against NVIDIA's real libcuda.so.1 on a machine without a device: the real cuInit path.</summary>
public sealed class RealDriverWithoutDeviceTests
{
    [RealDriverWithoutDeviceFact]
    public void TheProbeQuotesTheDriversErrorName()
    {
        var probe = CudaDevices.Open();

        Assert.Null(probe.Device);
        Assert.Equal($"cuInit failed: {RealDriverWithoutDevice.NoDeviceError}", probe.Failure);
    }

    [RealDriverWithoutDeviceFact]
    public void AutoPicksTheCpuAndSaysNothing()
    {
        var messages = new List<string>();
        using var backend = MergeBackends.Resolve(MergeBackendKind.Auto, messages.Add);

        Assert.Equal("cpu", backend.Name);
        Assert.Empty(messages);
    }

    [RealDriverWithoutDeviceFact]
    public void CudaIsLora1305WithTheDriversErrorName()
    {
        var error = Assert.Throws<LoraException>(() => MergeBackends.Resolve(MergeBackendKind.Cuda));

        Assert.Equal(ErrorCodes.BackendUnavailable, error.Code);
        Assert.Contains($"cuInit failed: {RealDriverWithoutDevice.NoDeviceError}", error.Message);
    }
}
