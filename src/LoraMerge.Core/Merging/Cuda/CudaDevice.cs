using LoraMerge.Formats;

namespace LoraMerge.Merging.Cuda;

/// <summary>Device 0 through the driver API: its primary context and the merge kernel module loaded from PTX.</summary>
internal sealed unsafe class CudaDevice : ICudaDevice
{
    private const int AttributeComputeCapabilityMajor = 75;
    private const int AttributeComputeCapabilityMinor = 76;

    private readonly CudaDriverApi _api;
    private readonly int _device;
    private readonly nint _context;
    private readonly nint _module;
    private readonly Dictionary<DType, nint> _kernels = [];

    private CudaDevice(CudaDriverApi api, int device, nint context, nint module, string description)
    {
        _api = api;
        _device = device;
        _context = context;
        _module = module;
        Description = description;
        foreach (var dtype in CudaKernelImage.DTypes)
        {
            nint function;
            var name = System.Text.Encoding.ASCII.GetBytes(CudaKernelImage.EntryFor(dtype) + "\0");
            fixed (byte* n = name)
                api.Check(api.cuModuleGetFunction(&function, module, n), "cuModuleGetFunction");
            _kernels[dtype] = function;
        }
    }

    public string Description { get; }

    public long FreeMemory
    {
        get
        {
            nuint free, total;
            MakeCurrent();
            _api.Check(_api.cuMemGetInfo(&free, &total), "cuMemGetInfo");
            return (long)free;
        }
    }

    /// <summary>Opens device 0, or returns null with the reason it is not usable.</summary>
    public static CudaDevice? TryOpen(CudaDriverApi api, out string failure)
    {
        int result = api.cuInit(0);
        if (result != CudaDriverApi.Success)
        {
            failure = $"cuInit failed: {api.Describe(result)}";
            return null;
        }
        int count;
        result = api.cuDeviceGetCount(&count);
        if (result != CudaDriverApi.Success || count == 0)
        {
            failure = result != CudaDriverApi.Success ? $"cuDeviceGetCount failed: {api.Describe(result)}" : "the driver reports no CUDA device";
            return null;
        }

        int device, major, minor;
        var name = stackalloc byte[256];
        if ((result = api.cuDeviceGet(&device, 0)) != CudaDriverApi.Success
            || (result = api.cuDeviceGetName(name, 256, device)) != CudaDriverApi.Success
            || (result = api.cuDeviceGetAttribute(&major, AttributeComputeCapabilityMajor, device)) != CudaDriverApi.Success
            || (result = api.cuDeviceGetAttribute(&minor, AttributeComputeCapabilityMinor, device)) != CudaDriverApi.Success)
        {
            failure = $"querying CUDA device 0 failed: {api.Describe(result)}";
            return null;
        }
        string description = $"{CudaDriverApi.NameFrom(new ReadOnlySpan<byte>(name, 256))} (compute capability {major}.{minor})";
        if (major * 10 + minor < CudaKernelImage.MinimumComputeCapability)
        {
            failure = $"CUDA device 0, {description}, is older than compute capability 5.2";
            return null;
        }

        nint context;
        if ((result = api.cuDevicePrimaryCtxRetain(&context, device)) != CudaDriverApi.Success)
        {
            failure = $"creating a context on CUDA device 0 failed: {api.Describe(result)}";
            return null;
        }
        nint module = 0;
        try
        {
            api.Check(api.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            var image = CudaKernelImage.Load();
            fixed (byte* ptx = image)
                result = api.cuModuleLoadData(&module, ptx);
            if (result != CudaDriverApi.Success)
            {
                failure = $"the driver could not JIT-compile the merge kernel's PTX: {api.Describe(result)}";
                api.cuDevicePrimaryCtxRelease(device);
                return null;
            }
            failure = "";
            return new CudaDevice(api, device, context, module, description);
        }
        catch (CudaException e)
        {
            if (module != 0)
                api.cuModuleUnload(module);
            api.cuDevicePrimaryCtxRelease(device);
            failure = e.Message;
            return null;
        }
    }

    public void MakeCurrent() => _api.Check(_api.cuCtxSetCurrent(_context), "cuCtxSetCurrent");

    public nint AllocateHost(long bytes)
    {
        void* pointer;
        _api.Check(_api.cuMemHostAlloc(&pointer, (nuint)bytes, 0), "cuMemHostAlloc");
        return (nint)pointer;
    }

    public void FreeHost(nint pointer) => _api.Check(_api.cuMemFreeHost((void*)pointer), "cuMemFreeHost");

    public ulong AllocateDevice(long bytes)
    {
        ulong pointer;
        _api.Check(_api.cuMemAlloc(&pointer, (nuint)bytes), "cuMemAlloc");
        return pointer;
    }

    public void FreeDevice(ulong pointer) => _api.Check(_api.cuMemFree(pointer), "cuMemFree");

    public nint CreateStream()
    {
        nint stream;
        _api.Check(_api.cuStreamCreate(&stream, 1 /* CU_STREAM_NON_BLOCKING */), "cuStreamCreate");
        return stream;
    }

    public void DestroyStream(nint stream) => _api.Check(_api.cuStreamDestroy(stream), "cuStreamDestroy");

    public void CopyToDeviceAsync(ulong destination, nint source, long bytes, nint stream) =>
        _api.Check(_api.cuMemcpyHtoDAsync(destination, (void*)source, (nuint)bytes, stream), "cuMemcpyHtoDAsync");

    public void CopyToHostAsync(nint destination, ulong source, long bytes, nint stream) =>
        _api.Check(_api.cuMemcpyDtoHAsync((void*)destination, source, (nuint)bytes, stream), "cuMemcpyDtoHAsync");

    public void LaunchMerge(DType dtype, nint stream, CudaLaunchShape shape, ulong baseTile, ulong outputTile, ulong terms, int termCount, int columns)
    {
        void** arguments = stackalloc void*[5];
        arguments[0] = &baseTile;
        arguments[1] = &outputTile;
        arguments[2] = &terms;
        arguments[3] = &termCount;
        arguments[4] = &columns;
        _api.Check(_api.cuLaunchKernel(_kernels[dtype], shape.GridX, shape.GridY, 1, shape.BlockX, 1, 1, 0, stream, arguments, null),
            "cuLaunchKernel");
    }

    public void Synchronize(nint stream) => _api.Check(_api.cuStreamSynchronize(stream), "cuStreamSynchronize");

    public void Dispose()
    {
        _api.cuCtxSetCurrent(_context);
        _api.cuModuleUnload(_module);
        _api.cuDevicePrimaryCtxRelease(_device);
    }
}
