using LoraMerge.Formats;
using LoraMerge.Numerics;
using System.Runtime.InteropServices;

namespace LoraMerge.Merging;

/// <summary>Widens stored float tensors (F32, F16, BF16) to f32; exact for every input.</summary>
internal static class FloatReader
{
    public static float[] ReadAll(SafetensorsFile file, TensorInfo tensor)
    {
        var result = new float[checked((int)tensor.ElementCount)];
        Widen(tensor.DType, file.GetBytes(tensor), result, file.FilePath, tensor.Name);
        return result;
    }

    /// <summary>Widens a merge operand; only the dtypes a merge accepts (F32, F16, BF16).</summary>
    public static void Widen(DType dtype, ReadOnlySpan<byte> source, Span<float> destination, string filePath, string tensorName)
    {
        if (!DTypes.IsMergeable(dtype) || !FloatWidening.TryWiden(dtype, source, destination))
            throw UnsupportedDType(dtype, filePath, tensorName);
    }

    /// <summary>Rounds f32 values to the stored dtype (round-to-nearest-even) and writes their bytes.</summary>
    public static void Narrow(DType dtype, ReadOnlySpan<float> source, Span<byte> destination)
    {
        switch (dtype)
        {
            case DType.F32:
                MemoryMarshal.AsBytes(source).CopyTo(destination);
                break;
            case DType.BF16:
                HalfConversions.F32ToBf16(source, MemoryMarshal.Cast<byte, ushort>(destination));
                break;
            case DType.F16:
                HalfConversions.F32ToF16(source, MemoryMarshal.Cast<byte, ushort>(destination));
                break;
            default:
                throw new InvalidOperationException($"Cannot narrow to {dtype}.");
        }
    }

    public static Diagnostics.LoraException UnsupportedDType(DType dtype, string filePath, string tensorName) =>
        new(Diagnostics.ErrorCodes.UnsupportedDType,
            $"Tensor '{tensorName}' is {dtype}; merges read and write only F32, F16 and BF16 tensors.", filePath);
}
