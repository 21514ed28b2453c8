using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Merging.Cuda;

namespace LoraMerge.Merging;

/// <summary>The hardware chosen for a merge: its name for lora-merge.json and how to make its tensor producer.</summary>
internal sealed class MergeBackend : IDisposable
{
    private readonly ICudaDevice? _cuda;
    private readonly CudaMemoryBudget? _budget;

    private MergeBackend(string name, ICudaDevice? cuda, CudaMemoryBudget? budget)
    {
        Name = name;
        _cuda = cuda;
        _budget = budget;
    }

    public static MergeBackend Cpu { get; } = new("cpu", null, null);

    public static MergeBackend Cuda(ICudaDevice device, CudaMemoryBudget budget) => new("cuda", device, budget);

    public string Name { get; }

    /// <summary>The producer for every changed tensor; the CPU merger handles what the device does not.</summary>
    public ITensorProducer CreateProducer(TensorMerger cpu, IReadOnlyList<SafetensorsFile> adapterFiles, int threads, CancellationToken cancellationToken) =>
        _cuda is null ? cpu : new CudaTensorProducer(_cuda, _budget!, cpu, adapterFiles, threads, cancellationToken);

    public void Dispose() => _cuda?.Dispose();
}

/// <summary>Picks the hardware for a merge.</summary>
internal static class MergeBackends
{
    public static MergeBackend Resolve(MergeBackendKind requested, Action<string>? onInfo = null) =>
        Resolve(requested, onInfo, CudaDevices.Open);

    /// <summary>
    /// cpu: the CPU. auto: CUDA when a usable device is present (said once through <paramref name="onInfo"/>), else the
    /// CPU without a word. cuda: CUDA, or <c>LORA1305</c> saying why there is no usable device.
    /// </summary>
    public static MergeBackend Resolve(MergeBackendKind requested, Action<string>? onInfo, Func<CudaProbeResult> openCuda)
    {
        if (requested == MergeBackendKind.Cpu)
            return MergeBackend.Cpu;
        var probe = openCuda();
        if (probe.Device is { } device)
        {
            var budget = CudaMemoryBudget.For(device.FreeMemory);
            onInfo?.Invoke($"Merging on the GPU: CUDA device 0, {device.Description}, using up to {budget.DeviceBytes >> 20} MiB of device memory.");
            return MergeBackend.Cuda(device, budget);
        }
        if (requested == MergeBackendKind.Auto)
            return MergeBackend.Cpu;
        throw new LoraException(ErrorCodes.BackendUnavailable,
            $"The CUDA backend was requested but no usable CUDA device was found: {probe.Failure}. " +
            "Use the cpu or auto backend (--backend cpu, or LoraMergeBackend=cpu in MSBuild).");
    }
}
