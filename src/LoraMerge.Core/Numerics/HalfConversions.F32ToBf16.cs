using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LoraMerge.Numerics;

public static partial class HalfConversions
{
    /// <summary>Rounds every <see cref="float"/> in <paramref name="source"/> to bfloat16; same results as <see cref="F32ToBf16(float)"/>.</summary>
    /// <exception cref="ArgumentException">The spans have different lengths.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void F32ToBf16(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        ThrowIfLengthsDiffer(source.Length, destination.Length);
        ref float src = ref MemoryMarshal.GetReference(source);
        ref ushort dst = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)source.Length;
        nuint i = 0;

        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<ushort>.Count <= length; i += (nuint)Vector512<ushort>.Count)
            {
                Vector512<uint> lower = RoundToBf16(Vector512.LoadUnsafe(ref src, i));
                Vector512<uint> upper = RoundToBf16(Vector512.LoadUnsafe(ref src, i + (nuint)Vector512<float>.Count));
                Vector512.Narrow(lower, upper).StoreUnsafe(ref dst, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<ushort>.Count <= length; i += (nuint)Vector256<ushort>.Count)
            {
                Vector256<uint> lower = RoundToBf16(Vector256.LoadUnsafe(ref src, i));
                Vector256<uint> upper = RoundToBf16(Vector256.LoadUnsafe(ref src, i + (nuint)Vector256<float>.Count));
                Vector256.Narrow(lower, upper).StoreUnsafe(ref dst, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<ushort>.Count <= length; i += (nuint)Vector128<ushort>.Count)
            {
                Vector128<uint> lower = RoundToBf16(Vector128.LoadUnsafe(ref src, i));
                Vector128<uint> upper = RoundToBf16(Vector128.LoadUnsafe(ref src, i + (nuint)Vector128<float>.Count));
                Vector128.Narrow(lower, upper).StoreUnsafe(ref dst, i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref dst, i) = F32ToBf16(Unsafe.Add(ref src, i));
        }
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
