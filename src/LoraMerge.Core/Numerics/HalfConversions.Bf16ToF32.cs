using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LoraMerge.Numerics;

public static partial class HalfConversions
{
    /// <summary>Widens every bfloat16 bit pattern in <paramref name="source"/> to <see cref="float"/>; same results as <see cref="Bf16ToF32(ushort)"/>.</summary>
    /// <exception cref="ArgumentException">The spans have different lengths.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Bf16ToF32(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        ThrowIfLengthsDiffer(source.Length, destination.Length);
        ref ushort src = ref MemoryMarshal.GetReference(source);
        ref uint dst = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
        nuint length = (nuint)source.Length;
        nuint i = 0;

        // Each width's loop also finishes the tail the wider loop left, so at most 7 elements reach the scalar loop.
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<ushort>.Count <= length; i += (nuint)Vector512<ushort>.Count)
            {
                (Vector512<uint> lower, Vector512<uint> upper) = Vector512.Widen(Vector512.LoadUnsafe(ref src, i));
                (lower << 16).StoreUnsafe(ref dst, i);
                (upper << 16).StoreUnsafe(ref dst, i + (nuint)Vector512<uint>.Count);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<ushort>.Count <= length; i += (nuint)Vector256<ushort>.Count)
            {
                (Vector256<uint> lower, Vector256<uint> upper) = Vector256.Widen(Vector256.LoadUnsafe(ref src, i));
                (lower << 16).StoreUnsafe(ref dst, i);
                (upper << 16).StoreUnsafe(ref dst, i + (nuint)Vector256<uint>.Count);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<ushort>.Count <= length; i += (nuint)Vector128<ushort>.Count)
            {
                (Vector128<uint> lower, Vector128<uint> upper) = Vector128.Widen(Vector128.LoadUnsafe(ref src, i));
                (lower << 16).StoreUnsafe(ref dst, i);
                (upper << 16).StoreUnsafe(ref dst, i + (nuint)Vector128<uint>.Count);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref dst, i) = (uint)Unsafe.Add(ref src, i) << 16;
        }
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
