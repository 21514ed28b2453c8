using System.Runtime.InteropServices;
using System.Text;

namespace LoraMerge.Merging.Cuda;

/// <summary>
/// The few CUDA driver API entry points the merge uses, bound at run time from libcuda.so.1 (nvcuda.dll on Windows)
/// with <see cref="NativeLibrary.TryLoad(string, out nint)"/>: there is no link-time dependency on CUDA.
/// </summary>
internal sealed unsafe class CudaDriverApi
{
    public const int Success = 0;

    private readonly nint _library;

    private CudaDriverApi(nint library) => _library = library;

    public delegate* unmanaged<uint, int> cuInit;
    public delegate* unmanaged<int*, int> cuDeviceGetCount;
    public delegate* unmanaged<int*, int, int> cuDeviceGet;
    public delegate* unmanaged<byte*, int, int, int> cuDeviceGetName;
    public delegate* unmanaged<int*, int, int, int> cuDeviceGetAttribute;
    public delegate* unmanaged<nint*, int, int> cuDevicePrimaryCtxRetain;
    public delegate* unmanaged<int, int> cuDevicePrimaryCtxRelease;
    public delegate* unmanaged<nint, int> cuCtxSetCurrent;
    public delegate* unmanaged<nuint*, nuint*, int> cuMemGetInfo;
    public delegate* unmanaged<nint*, void*, int> cuModuleLoadData;
    public delegate* unmanaged<nint*, nint, byte*, int> cuModuleGetFunction;
    public delegate* unmanaged<nint, int> cuModuleUnload;
    public delegate* unmanaged<ulong*, nuint, int> cuMemAlloc;
    public delegate* unmanaged<ulong, int> cuMemFree;
    public delegate* unmanaged<void**, nuint, uint, int> cuMemHostAlloc;
    public delegate* unmanaged<void*, int> cuMemFreeHost;
    public delegate* unmanaged<ulong, void*, nuint, nint, int> cuMemcpyHtoDAsync;
    public delegate* unmanaged<void*, ulong, nuint, nint, int> cuMemcpyDtoHAsync;
    public delegate* unmanaged<nint*, uint, int> cuStreamCreate;
    public delegate* unmanaged<nint, int> cuStreamDestroy;
    public delegate* unmanaged<nint, int> cuStreamSynchronize;
    public delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int> cuLaunchKernel;
    public delegate* unmanaged<int, byte**, int> cuGetErrorName;

    /// <summary>The library names tried, in order.</summary>
    public static IReadOnlyList<string> DefaultLibraryNames { get; } =
        OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"];

    /// <summary>Loads the driver library and binds every entry point; null with a reason when either fails.</summary>
    public static CudaDriverApi? TryLoad(IReadOnlyList<string> libraryNames, out string failure)
    {
        nint library = 0;
        foreach (var name in libraryNames)
            if (NativeLibrary.TryLoad(name, out library))
                break;
        if (library == 0)
        {
            failure = $"the CUDA driver library ({string.Join(" or ", libraryNames)}) could not be loaded";
            return null;
        }

        var api = new CudaDriverApi(library);
        if (!api.TryBindAll(out string missing))
        {
            NativeLibrary.Free(library);
            failure = $"the CUDA driver library has no '{missing}' entry point (driver too old)";
            return null;
        }
        failure = "";
        return api;
    }

    private bool TryBindAll(out string missing)
    {
        var exports = new Exports(_library);
        cuInit = (delegate* unmanaged<uint, int>)exports.Get("cuInit");
        cuDeviceGetCount = (delegate* unmanaged<int*, int>)exports.Get("cuDeviceGetCount");
        cuDeviceGet = (delegate* unmanaged<int*, int, int>)exports.Get("cuDeviceGet");
        cuDeviceGetName = (delegate* unmanaged<byte*, int, int, int>)exports.Get("cuDeviceGetName");
        cuDeviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)exports.Get("cuDeviceGetAttribute");
        cuDevicePrimaryCtxRetain = (delegate* unmanaged<nint*, int, int>)exports.Get("cuDevicePrimaryCtxRetain");
        cuDevicePrimaryCtxRelease = (delegate* unmanaged<int, int>)exports.Get("cuDevicePrimaryCtxRelease_v2");
        cuCtxSetCurrent = (delegate* unmanaged<nint, int>)exports.Get("cuCtxSetCurrent");
        cuMemGetInfo = (delegate* unmanaged<nuint*, nuint*, int>)exports.Get("cuMemGetInfo_v2");
        cuModuleLoadData = (delegate* unmanaged<nint*, void*, int>)exports.Get("cuModuleLoadData");
        cuModuleGetFunction = (delegate* unmanaged<nint*, nint, byte*, int>)exports.Get("cuModuleGetFunction");
        cuModuleUnload = (delegate* unmanaged<nint, int>)exports.Get("cuModuleUnload");
        cuMemAlloc = (delegate* unmanaged<ulong*, nuint, int>)exports.Get("cuMemAlloc_v2");
        cuMemFree = (delegate* unmanaged<ulong, int>)exports.Get("cuMemFree_v2");
        cuMemHostAlloc = (delegate* unmanaged<void**, nuint, uint, int>)exports.Get("cuMemHostAlloc");
        cuMemFreeHost = (delegate* unmanaged<void*, int>)exports.Get("cuMemFreeHost");
        cuMemcpyHtoDAsync = (delegate* unmanaged<ulong, void*, nuint, nint, int>)exports.Get("cuMemcpyHtoDAsync_v2");
        cuMemcpyDtoHAsync = (delegate* unmanaged<void*, ulong, nuint, nint, int>)exports.Get("cuMemcpyDtoHAsync_v2");
        cuStreamCreate = (delegate* unmanaged<nint*, uint, int>)exports.Get("cuStreamCreate");
        cuStreamDestroy = (delegate* unmanaged<nint, int>)exports.Get("cuStreamDestroy_v2");
        cuStreamSynchronize = (delegate* unmanaged<nint, int>)exports.Get("cuStreamSynchronize");
        cuLaunchKernel = (delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)exports.Get("cuLaunchKernel");
        cuGetErrorName = (delegate* unmanaged<int, byte**, int>)exports.Get("cuGetErrorName");
        missing = exports.FirstMissing;
        return missing.Length == 0;
    }

    private sealed class Exports(nint library)
    {
        public string FirstMissing { get; private set; } = "";

        public nint Get(string name)
        {
            if (NativeLibrary.TryGetExport(library, name, out nint address))
                return address;
            if (FirstMissing.Length == 0)
                FirstMissing = name;
            return 0;
        }
    }

    /// <summary>"CUDA_ERROR_NO_DEVICE (100)" for a result code.</summary>
    public string Describe(int result)
    {
        byte* name = null;
        if (cuGetErrorName(result, &name) == Success && name is not null)
            return $"{Marshal.PtrToStringUTF8((nint)name)} ({result})";
        return $"CUDA error {result}";
    }

    /// <summary>Throws <see cref="CudaException"/> naming the call when <paramref name="result"/> is not success.</summary>
    public void Check(int result, string call)
    {
        if (result != Success)
            throw new CudaException($"{call} failed: {Describe(result)}");
    }

    public static string NameFrom(ReadOnlySpan<byte> buffer)
    {
        int end = buffer.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? buffer : buffer[..end]);
    }
}

/// <summary>A CUDA driver call failed.</summary>
internal sealed class CudaException(string message) : Exception(message);
