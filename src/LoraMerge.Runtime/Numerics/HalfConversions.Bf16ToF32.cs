using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LoraMerge.Numerics;

public static partial class HalfConversions
{
    /// <summary>Widens every bfloat16 bit pattern in <paramref name="source"/> to <see cref="float"/>; same results as <see cref="Bf16ToF32(ushort)"/>.</summary>
    /// <exception cref="ArgumentException">The spans have different lengths.</exception>
    public static void Bf16ToF32(ReadOnlySpan<ushort> source, Span<float> destination) => WidenAll<Bf16Widening>(source, destination);

    /// <summary>Tests: <see cref="Bf16ToF32(ReadOnlySpan{ushort}, Span{float})"/> with the vector width forced (0 = scalar).</summary>
    internal static void Bf16ToF32(ReadOnlySpan<ushort> source, Span<float> destination, int vectorBits) => WidenAll<Bf16Widening>(source, destination, vectorBits);

    private readonly struct Bf16Widening : IWidening
    {
        public static uint Widen(ushort bits) => (uint)bits << 16;
        public static Vector512<uint> Widen(Vector512<uint> bits) => bits << 16;
        public static Vector256<uint> Widen(Vector256<uint> bits) => bits << 16;
        public static Vector128<uint> Widen(Vector128<uint> bits) => bits << 16;
    }

    private static void ThrowIfLengthsDiffer(int sourceLength, int destinationLength)
    {
        if (sourceLength != destinationLength)
        {
            ThrowLengthMismatch(sourceLength, destinationLength);
        }
    }

    private static void ThrowLengthMismatch(int sourceLength, int destinationLength) =>
        throw new ArgumentException(
            $"Destination has {destinationLength} elements but source has {sourceLength}; they must be the same length.",
            "destination");
}
