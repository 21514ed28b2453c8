using System.Runtime.InteropServices;

namespace LoraMerge.Tests.Shared;

/// <summary>
/// A fact about the real CUDA driver library on a machine without a device (CI installs Debian's libcuda1): it runs
/// where libcuda.so.1 loads and its cuInit reports CUDA_ERROR_NO_DEVICE; elsewhere it is skipped and says why.
/// With LORAMERGE_EXPECT_REAL_CUDA_DRIVER=1 (set by .ci/run after installing the library) a library that does not
/// load or has no cuInit is not a reason to skip, so the tests fail instead of quietly skipping.
/// </summary>
public sealed class RealDriverWithoutDeviceFactAttribute : FactAttribute
{
    public RealDriverWithoutDeviceFactAttribute()
    {
        bool libraryExpected = Environment.GetEnvironmentVariable("LORAMERGE_EXPECT_REAL_CUDA_DRIVER") == "1";
        if (RealDriverWithoutDevice.SkipReason is { } reason && !(libraryExpected && RealDriverWithoutDevice.LibraryUnusable))
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
    private static readonly Lazy<(string? Reason, bool LibraryUnusable)> Probe = new(Run);

    /// <summary>Null where the real library runs without a device, else why the tests cannot run here.</summary>
    public static string? SkipReason => Probe.Value.Reason;

    /// <summary>True when the reason is that libcuda.so.1 does not load or has no cuInit.</summary>
    public static bool LibraryUnusable => Probe.Value.LibraryUnusable;

    private static (string?, bool) Run()
    {
        if (!OperatingSystem.IsLinux())
            return ("The real CUDA driver library is tested on Linux (Debian's libcuda1).", false);
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var library))
            return ("The real CUDA driver library is not installed (libcuda.so.1 does not load); .ci/run installs Debian's libcuda1.", true);
        if (!NativeLibrary.TryGetExport(library, "cuInit", out var cuInit))
            return ("libcuda.so.1 has no cuInit.", true);
        int result = ((delegate* unmanaged<uint, int>)cuInit)(0);
        return result switch
        {
            CudaErrorNoDevice => (null, false),
            0 => ("A CUDA device is present; these tests are for the real driver library without one ([CudaFact] tests cover the device).", false),
            _ => ($"cuInit returned {result}, not CUDA_ERROR_NO_DEVICE ({CudaErrorNoDevice}).", false),
        };
    }
}
