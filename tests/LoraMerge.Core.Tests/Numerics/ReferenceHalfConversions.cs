namespace LoraMerge.Core.Tests.Numerics;

/// <summary>
/// Slow, independent reference conversions written from the format definitions (field decoding and integer
/// rounding), used to check <c>LoraMerge.Numerics.HalfConversions</c>. NaN rules follow PyTorch's c10 types.
/// </summary>
internal static class ReferenceHalfConversions
{
    public static float Bf16ToF32(ushort bits)
    {
        int sign = bits >> 15;
        int exponent = (bits >> 7) & 0xFF;
        int mantissa = bits & 0x7F;
        if (exponent == 0xFF)
        {
            // Inf and NaN: the bf16 fields are the top half of the f32 fields, payload included.
            return BitConverter.UInt32BitsToSingle(((uint)sign << 31) | 0x7F800000u | ((uint)mantissa << 16));
        }

        double magnitude = exponent == 0
            ? Math.ScaleB(mantissa, -133)
            : Math.ScaleB(128 + mantissa, exponent - 134);
        return (float)(sign == 1 ? -magnitude : magnitude);
    }

    public static float F16ToF32(ushort bits)
    {
        int sign = bits >> 15;
        int exponent = (bits >> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F)
        {
            return mantissa == 0
                ? (sign == 1 ? float.NegativeInfinity : float.PositiveInfinity)
                : BitConverter.UInt32BitsToSingle(((uint)sign << 31) | 0x7FC00000u | ((uint)mantissa << 13));
        }

        double magnitude = exponent == 0
            ? Math.ScaleB(mantissa, -24)
            : Math.ScaleB(1024 + mantissa, exponent - 25);
        return (float)(sign == 1 ? -magnitude : magnitude);
    }

    public static ushort F32ToBf16(float value)
    {
        if (float.IsNaN(value))
        {
            return 0x7FC0;
        }

        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint kept = bits >> 16;
        uint dropped = bits & 0xFFFF;
        if (dropped > 0x8000 || (dropped == 0x8000 && (kept & 1) == 1))
        {
            kept++;
        }

        return (ushort)kept;
    }

    public static ushort F32ToF16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        ushort sign = (ushort)((bits >> 16) & 0x8000);
        int exponent = (int)((bits >> 23) & 0xFF);
        ulong mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF)
        {
            return (ushort)(sign | (mantissa == 0 ? 0x7C00 : 0x7E00));
        }

        if (exponent == 0 && mantissa == 0)
        {
            return sign;
        }

        // value = significand * 2^scale exactly.
        ulong significand = exponent == 0 ? mantissa : mantissa | 0x800000;
        int scale = exponent == 0 ? -149 : exponent - 150;
        int log2 = scale + (63 - System.Numerics.BitOperations.LeadingZeroCount(significand));

        // The f16 quantum (spacing) at this magnitude: 2^(log2 - 10) for normals, 2^-24 for subnormals.
        int quantumExponent = Math.Max(log2 - 10, -24);
        int shift = quantumExponent - scale;
        ulong quotient;
        if (shift >= 40)
        {
            quotient = 0;
        }
        else
        {
            ulong remainder = significand & ((1UL << shift) - 1);
            ulong half = 1UL << (shift - 1);
            quotient = significand >> shift;
            if (remainder > half || (remainder == half && (quotient & 1) == 1))
            {
                quotient++;
            }
        }

        // Subnormal quotients (< 1024) are the encoding itself; 1024 is the smallest normal, also its own encoding.
        // Normal quotients lie in [1024, 2048]; a carry into 2048 moves to the next exponent through the addition.
        uint encoded = quantumExponent == -24
            ? (uint)quotient
            : ((uint)(quantumExponent + 10 + 15) << 10) + (uint)(quotient - 1024);
        return (ushort)(sign | Math.Min(encoded, 0x7C00u));
    }
}
