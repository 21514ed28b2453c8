using System.Runtime.InteropServices;
using LoraMerge.Formats;

namespace LoraMerge.Numerics;

/// <summary>Stored floating-point elements of any safetensors float dtype as f32 (exact, except F64 which is narrowed).</summary>
public static class FloatWidening
{
    /// <returns>False when <paramref name="dtype"/> is not a floating-point dtype.</returns>
    public static bool TryWiden(DType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        switch (dtype)
        {
            case DType.F32:
                MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                return true;
            case DType.F16:
                HalfConversions.F16ToF32(MemoryMarshal.Cast<byte, ushort>(source), destination);
                return true;
            case DType.BF16:
                HalfConversions.Bf16ToF32(MemoryMarshal.Cast<byte, ushort>(source), destination);
                return true;
            case DType.F64:
                var doubles = MemoryMarshal.Cast<byte, double>(source);
                for (var i = 0; i < doubles.Length; i++)
                    destination[i] = (float)doubles[i];
                return true;
            case DType.F8_E4M3:
                for (var i = 0; i < source.Length; i++)
                    destination[i] = Float8.E4M3ToF32(source[i]);
                return true;
            case DType.F8_E5M2:
                for (var i = 0; i < source.Length; i++)
                    destination[i] = Float8.E5M2ToF32(source[i]);
                return true;
            default:
                return false;
        }
    }
}
