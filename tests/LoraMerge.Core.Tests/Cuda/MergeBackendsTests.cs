using LoraMerge.Diagnostics;
using LoraMerge.Merging;
using LoraMerge.Merging.Cuda;

namespace LoraMerge.Core.Tests.Cuda;

public sealed class MergeBackendsTests
{
    private static CudaProbeResult NoDevice() => new(null, "the CUDA driver library (libcuda.so.1) could not be loaded");

    [Fact]
    public void CpuNeverLooksForADevice()
    {
        bool probed = false;
        using var backend = MergeBackends.Resolve(MergeBackendKind.Cpu, null, () => { probed = true; return NoDevice(); });
        Assert.Equal("cpu", backend.Name);
        Assert.False(probed);
    }

    [Fact]
    public void AutoWithoutADeviceIsCpuSilently()
    {
        var messages = new List<string>();
        using var backend = MergeBackends.Resolve(MergeBackendKind.Auto, messages.Add, NoDevice);
        Assert.Equal("cpu", backend.Name);
        Assert.Empty(messages);
    }

    [Fact]
    public void CudaWithoutADeviceIsLora1305WithTheReason()
    {
        var error = Assert.Throws<LoraException>(() => MergeBackends.Resolve(MergeBackendKind.Cuda, null, NoDevice));
        Assert.Equal(ErrorCodes.BackendUnavailable, error.Code);
        Assert.Equal("LORA1305", error.Code);
        Assert.Contains("libcuda.so.1", error.Message);
        Assert.Contains("cpu", error.Message);
    }

    [Theory]
    [InlineData(MergeBackendKind.Auto)]
    [InlineData(MergeBackendKind.Cuda)]
    public void ADeviceIsUsedAndAnnouncedOnce(MergeBackendKind kind)
    {
        var messages = new List<string>();
        var device = new EmulatedCudaDevice();
        using (var backend = MergeBackends.Resolve(kind, messages.Add, () => new CudaProbeResult(device, "")))
            Assert.Equal("cuda", backend.Name);
        var message = Assert.Single(messages);
        Assert.Contains(device.Description, message);
        Assert.True(device.Disposed, "the backend did not release the device");
    }

    [Fact]
    public void AMissingDriverLibraryIsReportedNotThrown()
    {
        var result = CudaDevices.Open(["libcuda-that-does-not-exist.so.1"]);
        Assert.Null(result.Device);
        Assert.Contains("libcuda-that-does-not-exist.so.1", result.Failure);
    }

    [Fact]
    public void ThisMachineResolvesAccordingToItsDevice()
    {
        var probe = CudaDevices.Open();
        probe.Device?.Dispose();
        using var auto = MergeBackends.Resolve(MergeBackendKind.Auto);
        if (probe.Device is null)
        {
            Assert.Equal("cpu", auto.Name);
            var error = Assert.Throws<LoraException>(() => MergeBackends.Resolve(MergeBackendKind.Cuda));
            Assert.Equal(ErrorCodes.BackendUnavailable, error.Code);
            Assert.Contains(probe.Failure, error.Message);
        }
        else
        {
            Assert.Equal("cuda", auto.Name);
        }
    }
}
