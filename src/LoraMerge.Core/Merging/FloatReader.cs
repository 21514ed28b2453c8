using System.Buffers;
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
        ReadInto(file, tensor, result);
        return result;
    }

    /// <summary>
    /// Widens the whole tensor into the first <see cref="TensorInfo.ElementCount"/> floats of <paramref name="destination"/>,
    /// with positional reads: the file's mapping is never touched (first touches of mapped pages are slow on some hypervisors).
    /// </summary>
    public static void ReadInto(SafetensorsFile file, TensorInfo tensor, Span<float> destination)
    {
        var values = destination[..checked((int)tensor.ElementCount)];
        if (tensor.DType == DType.F32)
        {
            file.Read(tensor, 0, MemoryMarshal.AsBytes(values));
            return;
        }
        var stored = ArrayPool<byte>.Shared.Rent(checked((int)tensor.ByteLength));
        try
        {
            int length = file.Read(tensor, 0, stored);
            Widen(tensor.DType, stored.AsSpan(0, length), values, file.FilePath, tensor.Name);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored);
        }
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
