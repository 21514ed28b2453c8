using LoraMerge.Formats;

namespace LoraMerge.Merging.Cuda;

/// <summary>The PTX of Kernel/lora_merge.cu, embedded in the assembly; the driver JIT-compiles it for the GPU at hand.</summary>
internal static class CudaKernelImage
{
    public const string ResourceName = "LoraMerge.Merging.Cuda.lora_merge.ptx";

    /// <summary>The compute capability the PTX targets; every newer GPU runs it through the driver's JIT.</summary>
    public const int MinimumComputeCapability = 52;

    public static string EntryFor(DType dtype) => dtype switch
    {
        DType.F32 => "lora_merge_f32",
        DType.BF16 => "lora_merge_bf16",
        DType.F16 => "lora_merge_f16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "The CUDA kernel merges F32, BF16 and F16 only."),
    };

    public static IReadOnlyList<DType> DTypes { get; } = [DType.F32, DType.BF16, DType.F16];

    /// <summary>The PTX text, NUL-terminated as cuModuleLoadData expects.</summary>
    public static byte[] Load()
    {
        using var stream = typeof(CudaKernelImage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded CUDA kernel '{ResourceName}' is missing from the assembly.");
        var image = new byte[stream.Length + 1];
        stream.ReadExactly(image, 0, (int)stream.Length);
        return image;
    }
}
