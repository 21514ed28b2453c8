using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LoraMerge.Numerics;

public static partial class HalfConversions
{
    /// <summary>Rounds every <see cref="float"/> in <paramref name="source"/> to IEEE binary16; same results as <see cref="F32ToF16(float)"/>.</summary>
    /// <exception cref="ArgumentException">The spans have different lengths.</exception>
    public static void F32ToF16(ReadOnlySpan<float> source, Span<ushort> destination) => NarrowAll<F16Narrowing>(source, destination);

    /// <summary>Tests: <see cref="F32ToF16(ReadOnlySpan{float}, Span{ushort})"/> with the vector width forced (0 = scalar).</summary>
    internal static void F32ToF16(ReadOnlySpan<float> source, Span<ushort> destination, int vectorBits) => NarrowAll<F16Narrowing>(source, destination, vectorBits);

    private readonly struct F16Narrowing : INarrowing
    {
        public static ushort Round(float value) => F32ToF16(value);
        public static Vector512<uint> Round(Vector512<float> value) => RoundToF16(value);
        public static Vector256<uint> Round(Vector256<float> value) => RoundToF16(value);
        public static Vector128<uint> Round(Vector128<float> value) => RoundToF16(value);
    }

    // Same arithmetic as the scalar F32ToF16, per lane; the f16 bits end up in the low 16 bits of each uint.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> RoundToF16(Vector512<float> value)
    {
        Vector512<uint> w = value.AsUInt32();
        Vector512<uint> twiceW = w + w;
        Vector512<uint> sign = (w & Vector512.Create(0x80000000u)) >> 16;
        Vector512<float> scaled = Vector512.Abs(value) * Vector512.Create(ScaleToInfinity) * Vector512.Create(ScaleToZero);
        Vector512<uint> bias = Vector512.Max(twiceW & Vector512.Create(0xFF000000u), Vector512.Create(0x71000000u));
        Vector512<uint> roundedBits = (((bias >> 1) + Vector512.Create(0x07800000u)).AsSingle() + scaled).AsUInt32();
        Vector512<uint> nonSign = ((roundedBits >> 13) & Vector512.Create(0x7C00u)) + (roundedBits & Vector512.Create(0x0FFFu));
        Vector512<uint> isNaN = Vector512.GreaterThan(twiceW, Vector512.Create(0xFF000000u));
        return sign | Vector512.ConditionalSelect(isNaN, Vector512.Create(F16CanonicalNaN), nonSign);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RoundToF16(Vector256<float> value)
    {
        Vector256<uint> w = value.AsUInt32();
        Vector256<uint> twiceW = w + w;
        Vector256<uint> sign = (w & Vector256.Create(0x80000000u)) >> 16;
        Vector256<float> scaled = Vector256.Abs(value) * Vector256.Create(ScaleToInfinity) * Vector256.Create(ScaleToZero);
        Vector256<uint> bias = Vector256.Max(twiceW & Vector256.Create(0xFF000000u), Vector256.Create(0x71000000u));
        Vector256<uint> roundedBits = (((bias >> 1) + Vector256.Create(0x07800000u)).AsSingle() + scaled).AsUInt32();
        Vector256<uint> nonSign = ((roundedBits >> 13) & Vector256.Create(0x7C00u)) + (roundedBits & Vector256.Create(0x0FFFu));
        Vector256<uint> isNaN = Vector256.GreaterThan(twiceW, Vector256.Create(0xFF000000u));
        return sign | Vector256.ConditionalSelect(isNaN, Vector256.Create(F16CanonicalNaN), nonSign);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RoundToF16(Vector128<float> value)
    {
        Vector128<uint> w = value.AsUInt32();
        Vector128<uint> twiceW = w + w;
        Vector128<uint> sign = (w & Vector128.Create(0x80000000u)) >> 16;
        Vector128<float> scaled = Vector128.Abs(value) * Vector128.Create(ScaleToInfinity) * Vector128.Create(ScaleToZero);
        Vector128<uint> bias = Vector128.Max(twiceW & Vector128.Create(0xFF000000u), Vector128.Create(0x71000000u));
        Vector128<uint> roundedBits = (((bias >> 1) + Vector128.Create(0x07800000u)).AsSingle() + scaled).AsUInt32();
        Vector128<uint> nonSign = ((roundedBits >> 13) & Vector128.Create(0x7C00u)) + (roundedBits & Vector128.Create(0x0FFFu));
        Vector128<uint> isNaN = Vector128.GreaterThan(twiceW, Vector128.Create(0xFF000000u));
        return sign | Vector128.ConditionalSelect(isNaN, Vector128.Create(F16CanonicalNaN), nonSign);
    }
}
