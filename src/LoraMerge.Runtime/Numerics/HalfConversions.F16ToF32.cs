using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LoraMerge.Numerics;

public static partial class HalfConversions
{
    /// <summary>Widens every IEEE binary16 bit pattern in <paramref name="source"/> to <see cref="float"/>; same results as <see cref="F16ToF32(ushort)"/>.</summary>
    /// <exception cref="ArgumentException">The spans have different lengths.</exception>
    public static void F16ToF32(ReadOnlySpan<ushort> source, Span<float> destination) => WidenAll<F16Widening>(source, destination);

    /// <summary>Tests: <see cref="F16ToF32(ReadOnlySpan{ushort}, Span{float})"/> with the vector width forced (0 = scalar).</summary>
    internal static void F16ToF32(ReadOnlySpan<ushort> source, Span<float> destination, int vectorBits) => WidenAll<F16Widening>(source, destination, vectorBits);

    private readonly struct F16Widening : IWidening
    {
        public static uint Widen(ushort bits) => BitConverter.SingleToUInt32Bits(F16ToF32(bits));
        public static Vector512<uint> Widen(Vector512<uint> bits) => WidenF16(bits);
        public static Vector256<uint> Widen(Vector256<uint> bits) => WidenF16(bits);
        public static Vector128<uint> Widen(Vector128<uint> bits) => WidenF16(bits);
    }

    // Same arithmetic as the scalar F16ToF32, computed for every lane and blended by the lane's class.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> WidenF16(Vector512<uint> half)
    {
        Vector512<uint> sign = (half & Vector512.Create(0x8000u)) << 16;
        Vector512<uint> magnitude = half & Vector512.Create(0x7FFFu);
        Vector512<uint> shifted = magnitude << 13;
        Vector512<uint> normal = shifted + Vector512.Create(F16ToF32ExponentRebias);
        Vector512<uint> subnormal = ((shifted + Vector512.Create(F16MinNormalAsF32Bits)).AsSingle()
            - Vector512.Create(F16MinNormalAsF32Bits).AsSingle()).AsUInt32();
        Vector512<uint> special = shifted | Vector512.Create(0x7F800000u)
            | (Vector512.GreaterThan(magnitude, Vector512.Create(0x7C00u)) & Vector512.Create(0x00400000u));
        Vector512<uint> finite = Vector512.ConditionalSelect(Vector512.LessThan(magnitude, Vector512.Create(0x0400u)), subnormal, normal);
        return sign | Vector512.ConditionalSelect(Vector512.GreaterThan(magnitude, Vector512.Create(0x7BFFu)), special, finite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> WidenF16(Vector256<uint> half)
    {
        Vector256<uint> sign = (half & Vector256.Create(0x8000u)) << 16;
        Vector256<uint> magnitude = half & Vector256.Create(0x7FFFu);
        Vector256<uint> shifted = magnitude << 13;
        Vector256<uint> normal = shifted + Vector256.Create(F16ToF32ExponentRebias);
        Vector256<uint> subnormal = ((shifted + Vector256.Create(F16MinNormalAsF32Bits)).AsSingle()
            - Vector256.Create(F16MinNormalAsF32Bits).AsSingle()).AsUInt32();
        Vector256<uint> special = shifted | Vector256.Create(0x7F800000u)
            | (Vector256.GreaterThan(magnitude, Vector256.Create(0x7C00u)) & Vector256.Create(0x00400000u));
        Vector256<uint> finite = Vector256.ConditionalSelect(Vector256.LessThan(magnitude, Vector256.Create(0x0400u)), subnormal, normal);
        return sign | Vector256.ConditionalSelect(Vector256.GreaterThan(magnitude, Vector256.Create(0x7BFFu)), special, finite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> WidenF16(Vector128<uint> half)
    {
        Vector128<uint> sign = (half & Vector128.Create(0x8000u)) << 16;
        Vector128<uint> magnitude = half & Vector128.Create(0x7FFFu);
        Vector128<uint> shifted = magnitude << 13;
        Vector128<uint> normal = shifted + Vector128.Create(F16ToF32ExponentRebias);
        Vector128<uint> subnormal = ((shifted + Vector128.Create(F16MinNormalAsF32Bits)).AsSingle()
            - Vector128.Create(F16MinNormalAsF32Bits).AsSingle()).AsUInt32();
        Vector128<uint> special = shifted | Vector128.Create(0x7F800000u)
            | (Vector128.GreaterThan(magnitude, Vector128.Create(0x7C00u)) & Vector128.Create(0x00400000u));
        Vector128<uint> finite = Vector128.ConditionalSelect(Vector128.LessThan(magnitude, Vector128.Create(0x0400u)), subnormal, normal);
        return sign | Vector128.ConditionalSelect(Vector128.GreaterThan(magnitude, Vector128.Create(0x7BFFu)), special, finite);
    }
}
