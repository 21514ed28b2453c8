using System.Runtime.InteropServices;

namespace LoraMerge.Tests.Shared;

/// <summary>
/// A fact about the real CUDA driver library on a machine without a device (CI installs Debian's libcuda1): it runs
/// where libcuda.so.1 loads and its cuInit reports CUDA_ERROR_NO_DEVICE; elsewhere it is skipped and says why.
/// With LORAMERGE_EXPECT_REAL_CUDA_DRIVER=1 (set by .ci/run after installing the library) it never skips, so a
/// library that stopped loading fails the run instead of quietly skipping.
/// </summary>
public sealed class RealDriverWithoutDeviceFactAttribute : FactAttribute
{
    public RealDriverWithoutDeviceFactAttribute()
    {
        if (RealDriverWithoutDevice.SkipReason is { } reason
            && Environment.GetEnvironmentVariable("LORAMERGE_EXPECT_REAL_CUDA_DRIVER") != "1")
            Skip = reason;
    }
}

/// <summary>
/// Probes libcuda.so.1 once per test run, on its own rather than through the code under test.
/// </summary>
internal static unsafe class RealDriverWithoutDevice
{
    /// <summary>What the driver's cuGetErrorName says, as the backend quotes it.</summary>
    public const string NoDeviceError = "CUDA_ERROR_NO_DEVICE (100)";

    private const int CudaErrorNoDevice = 100;
    private static readonly Lazy<string?> Probe = new(Run);

    /// <summary>Null where the real library runs without a device, else why the tests cannot run here.</summary>
    public static string? SkipReason => Probe.Value;

    private static string? Run()
    {
        if (!OperatingSystem.IsLinux())
            return "The real CUDA driver library is tested on Linux (Debian's libcuda1).";
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var library))
            return "The real CUDA driver library is not installed (libcuda.so.1 does not load); .ci/run installs Debian's libcuda1.";
        if (!NativeLibrary.TryGetExport(library, "cuInit", out var cuInit))
            return "libcuda.so.1 has no cuInit.";
        int result = ((delegate* unmanaged<uint, int>)cuInit)(0);
        return result switch
        {
            CudaErrorNoDevice => null,
            0 => "A CUDA device is present; these tests are for the real driver library without one ([CudaFact] tests cover the device).",
            _ => $"cuInit returned {result}, not CUDA_ERROR_NO_DEVICE ({CudaErrorNoDevice}).",
        };
    }
}
