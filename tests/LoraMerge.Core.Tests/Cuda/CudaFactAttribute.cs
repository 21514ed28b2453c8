using LoraMerge.Merging.Cuda;

namespace LoraMerge.Core.Tests.Cuda;

/// <summary>A fact that runs only where a usable CUDA device is present; elsewhere it is skipped and says why.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (CudaAvailability.Failure is { } reason)
            Skip = $"No usable CUDA device: {reason}.";
    }
}

/// <summary>Probes once per test run for a usable CUDA device.</summary>
internal static class CudaAvailability
{
    private static readonly Lazy<string?> Probe = new(() =>
    {
        var result = CudaDevices.Open();
        result.Device?.Dispose();
        return result.Device is null ? result.Failure : null;
    });

    /// <summary>Null when a device is usable, else the reason.</summary>
    public static string? Failure => Probe.Value;
}
