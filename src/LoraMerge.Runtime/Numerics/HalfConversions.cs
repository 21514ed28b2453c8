using System.Runtime.CompilerServices;

namespace LoraMerge.Numerics;

/// <summary>
/// Bit-exact conversions between the 16-bit float formats (bfloat16, IEEE binary16) and <see cref="float"/>,
/// with the same results as PyTorch's <c>c10::BFloat16</c> and <c>c10::Half</c> on the CPU.
/// The span overloads are vectorised and are meant for the merge engine's hot path.
/// </summary>
/// <remarks>
/// f32 to 16-bit rounds to nearest, ties to even. NaN handling follows c10:
/// f32 NaN to bf16 is always 0x7FC0 (sign and payload dropped); f32 NaN to f16 is sign | 0x7E00;
/// f16 NaN to f32 keeps sign and payload and sets the quiet bit; bf16 to f32 is a plain 16-bit shift.
/// </remarks>
public static partial class HalfConversions
{
    private const uint Bf16CanonicalNaN = 0x7FC0u;
    private const uint F16CanonicalNaN = 0x7E00u;

    /// <summary>Widens a bfloat16 bit pattern to <see cref="float"/> (exact; NaN payloads kept as they are).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Bf16ToF32(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Rounds a <see cref="float"/> to bfloat16, to nearest with ties to even; every NaN becomes 0x7FC0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort F32ToBf16(float value)
    {
        if (float.IsNaN(value))
        {
            return (ushort)Bf16CanonicalNaN;
        }

        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint lowestKeptBit = (bits >> 16) & 1u;
        return (ushort)((bits + 0x7FFFu + lowestKeptBit) >> 16);
    }

    /// <summary>Widens an IEEE binary16 bit pattern to <see cref="float"/> (exact; NaNs keep sign and payload and become quiet).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F16ToF32(ushort bits)
    {
        uint sign = ((uint)bits & 0x8000u) << 16;
        uint magnitude = (uint)bits & 0x7FFFu;
        uint shifted = magnitude << 13;
        uint result;
        if (magnitude >= 0x7C00u)
        {
            result = shifted | 0x7F800000u | (magnitude > 0x7C00u ? 0x00400000u : 0u);
        }
        else if (magnitude >= 0x0400u)
        {
            result = shifted + F16ToF32ExponentRebias;
        }
        else
        {
            result = SubnormalF16ToF32Magnitude(shifted);
        }

        return BitConverter.UInt32BitsToSingle(sign | result);
    }

    /// <summary>Rounds a <see cref="float"/> to IEEE binary16, to nearest with ties to even, overflowing to infinity; NaN becomes sign | 0x7E00.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort F32ToF16(float value)
    {
        uint w = BitConverter.SingleToUInt32Bits(value);
        uint twiceW = w + w;
        uint sign = (w & 0x80000000u) >> 16;
        if (twiceW > 0xFF000000u)
        {
            return (ushort)(sign | F16CanonicalNaN);
        }

        // The float unit does the rounding: scaling by 2^112 then 2^-110 turns anything too large for f16 into
        // infinity, and adding a power of two just above the value's f16 ulp makes the hardware round the
        // mantissa at exactly the f16 position (ties to even), including for f16 subnormals.
        float scaled = MathF.Abs(value) * ScaleToInfinity * ScaleToZero;
        uint bias = Math.Max(twiceW & 0xFF000000u, 0x71000000u);
        float rounded = BitConverter.UInt32BitsToSingle((bias >> 1) + 0x07800000u) + scaled;
        uint roundedBits = BitConverter.SingleToUInt32Bits(rounded);
        uint nonSign = ((roundedBits >> 13) & 0x7C00u) + (roundedBits & 0x0FFFu);
        return (ushort)(sign | nonSign);
    }

    private const uint F16ToF32ExponentRebias = (127u - 15u) << 23;

    /// <summary>2^-14 as f32 bits: the smallest normal f16, used to turn subnormal mantissas into floats exactly.</summary>
    private const uint F16MinNormalAsF32Bits = 0x38800000u;

    private const float ScaleToInfinity = 5.192296858534828e+33f; // 2^112
    private const float ScaleToZero = 7.703719777548943e-34f; // 2^-110

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint SubnormalF16ToF32Magnitude(uint shiftedMagnitude)
    {
        // (2^-14 * (1 + m/1024)) - 2^-14 == m * 2^-24, computed exactly by the float unit.
        float withImplicitOne = BitConverter.UInt32BitsToSingle(shiftedMagnitude + F16MinNormalAsF32Bits);
        return BitConverter.SingleToUInt32Bits(withImplicitOne - BitConverter.UInt32BitsToSingle(F16MinNormalAsF32Bits));
    }
}
