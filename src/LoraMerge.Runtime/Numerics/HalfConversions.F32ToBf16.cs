using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LoraMerge.Numerics;

public static partial class HalfConversions
{
    /// <summary>Rounds every <see cref="float"/> in <paramref name="source"/> to bfloat16; same results as <see cref="F32ToBf16(float)"/>.</summary>
    /// <exception cref="ArgumentException">The spans have different lengths.</exception>
    public static void F32ToBf16(ReadOnlySpan<float> source, Span<ushort> destination) => NarrowAll<Bf16Narrowing>(source, destination);

    /// <summary>Tests: <see cref="F32ToBf16(ReadOnlySpan{float}, Span{ushort})"/> with the vector width forced (0 = scalar).</summary>
    internal static void F32ToBf16(ReadOnlySpan<float> source, Span<ushort> destination, int vectorBits) => NarrowAll<Bf16Narrowing>(source, destination, vectorBits);

    private readonly struct Bf16Narrowing : INarrowing
    {
        public static ushort Round(float value) => F32ToBf16(value);
        public static Vector512<uint> Round(Vector512<float> value) => RoundToBf16(value);
        public static Vector256<uint> Round(Vector256<float> value) => RoundToBf16(value);
        public static Vector128<uint> Round(Vector128<float> value) => RoundToBf16(value);
    }

    // Per lane: the bf16 bits in the low 16 bits of a uint (the high 16 bits are zero, so narrowing is lossless).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> RoundToBf16(Vector512<float> value)
    {
        Vector512<uint> bits = value.AsUInt32();
        Vector512<uint> rounded = (bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One)) >> 16;
        return Vector512.ConditionalSelect(Vector512.Equals(value, value).AsUInt32(), rounded, Vector512.Create(Bf16CanonicalNaN));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> RoundToBf16(Vector256<float> value)
    {
        Vector256<uint> bits = value.AsUInt32();
        Vector256<uint> rounded = (bits + Vector256.Create(0x7FFFu) + ((bits >> 16) & Vector256<uint>.One)) >> 16;
        return Vector256.ConditionalSelect(Vector256.Equals(value, value).AsUInt32(), rounded, Vector256.Create(Bf16CanonicalNaN));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RoundToBf16(Vector128<float> value)
    {
        Vector128<uint> bits = value.AsUInt32();
        Vector128<uint> rounded = (bits + Vector128.Create(0x7FFFu) + ((bits >> 16) & Vector128<uint>.One)) >> 16;
        return Vector128.ConditionalSelect(Vector128.Equals(value, value).AsUInt32(), rounded, Vector128.Create(Bf16CanonicalNaN));
    }
}
