using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LoraMerge.Numerics;

public static partial class HalfConversions
{
    /// <summary>f32 to a 16-bit float, per value and per lane (the 16-bit result in the low half of each uint).</summary>
    private interface INarrowing
    {
        static abstract ushort Round(float value);
        static abstract Vector512<uint> Round(Vector512<float> value);
        static abstract Vector256<uint> Round(Vector256<float> value);
        static abstract Vector128<uint> Round(Vector128<float> value);
    }

    /// <summary>A 16-bit float (zero-extended to a uint) to the bits of its f32 value.</summary>
    private interface IWidening
    {
        static abstract uint Widen(ushort bits);
        static abstract Vector512<uint> Widen(Vector512<uint> bits);
        static abstract Vector256<uint> Widen(Vector256<uint> bits);
        static abstract Vector128<uint> Widen(Vector128<uint> bits);
    }

    /// <summary>The <c>vectorBits</c> of the span loops that lets the hardware choose (every accelerated width).</summary>
    internal const int HardwareVectorBits = -1;

    /// <summary>
    /// Whether a span loop runs its loop of <paramref name="width"/> bits: what the hardware accelerates, or (tests,
    /// <paramref name="vectorBits"/> 0, 128, 256 or 512) every width up to the one forced, accelerated or not, so that
    /// each width's code runs on any CPU.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool UsesWidth(int vectorBits, int width, bool accelerated) =>
        vectorBits == HardwareVectorBits ? accelerated : vectorBits >= width;

    // Each width's loop also finishes what the wider loop left, so at most 7 elements reach the scalar loop.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowAll<T>(ReadOnlySpan<float> source, Span<ushort> destination, int vectorBits = HardwareVectorBits)
        where T : struct, INarrowing
    {
        ThrowIfLengthsDiffer(source.Length, destination.Length);
        ref float src = ref MemoryMarshal.GetReference(source);
        ref ushort dst = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)source.Length;
        nuint i = 0;
        if (UsesWidth(vectorBits, 512, Vector512.IsHardwareAccelerated))
        {
            for (; i + (nuint)Vector512<ushort>.Count <= length; i += (nuint)Vector512<ushort>.Count)
                Vector512.Narrow(T.Round(Vector512.LoadUnsafe(ref src, i)), T.Round(Vector512.LoadUnsafe(ref src, i + (nuint)Vector512<float>.Count)))
                    .StoreUnsafe(ref dst, i);
        }
        if (UsesWidth(vectorBits, 256, Vector256.IsHardwareAccelerated))
        {
            for (; i + (nuint)Vector256<ushort>.Count <= length; i += (nuint)Vector256<ushort>.Count)
                Vector256.Narrow(T.Round(Vector256.LoadUnsafe(ref src, i)), T.Round(Vector256.LoadUnsafe(ref src, i + (nuint)Vector256<float>.Count)))
                    .StoreUnsafe(ref dst, i);
        }
        if (UsesWidth(vectorBits, 128, Vector128.IsHardwareAccelerated))
        {
            for (; i + (nuint)Vector128<ushort>.Count <= length; i += (nuint)Vector128<ushort>.Count)
                Vector128.Narrow(T.Round(Vector128.LoadUnsafe(ref src, i)), T.Round(Vector128.LoadUnsafe(ref src, i + (nuint)Vector128<float>.Count)))
                    .StoreUnsafe(ref dst, i);
        }
        for (; i < length; i++)
            Unsafe.Add(ref dst, i) = T.Round(Unsafe.Add(ref src, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WidenAll<T>(ReadOnlySpan<ushort> source, Span<float> destination, int vectorBits = HardwareVectorBits)
        where T : struct, IWidening
    {
        ThrowIfLengthsDiffer(source.Length, destination.Length);
        ref ushort src = ref MemoryMarshal.GetReference(source);
        ref uint dst = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
        nuint length = (nuint)source.Length;
        nuint i = 0;
        if (UsesWidth(vectorBits, 512, Vector512.IsHardwareAccelerated))
        {
            for (; i + (nuint)Vector512<ushort>.Count <= length; i += (nuint)Vector512<ushort>.Count)
            {
                (Vector512<uint> lower, Vector512<uint> upper) = Vector512.Widen(Vector512.LoadUnsafe(ref src, i));
                T.Widen(lower).StoreUnsafe(ref dst, i);
                T.Widen(upper).StoreUnsafe(ref dst, i + (nuint)Vector512<uint>.Count);
            }
        }
        if (UsesWidth(vectorBits, 256, Vector256.IsHardwareAccelerated))
        {
            for (; i + (nuint)Vector256<ushort>.Count <= length; i += (nuint)Vector256<ushort>.Count)
            {
                (Vector256<uint> lower, Vector256<uint> upper) = Vector256.Widen(Vector256.LoadUnsafe(ref src, i));
                T.Widen(lower).StoreUnsafe(ref dst, i);
                T.Widen(upper).StoreUnsafe(ref dst, i + (nuint)Vector256<uint>.Count);
            }
        }
        if (UsesWidth(vectorBits, 128, Vector128.IsHardwareAccelerated))
        {
            for (; i + (nuint)Vector128<ushort>.Count <= length; i += (nuint)Vector128<ushort>.Count)
            {
                (Vector128<uint> lower, Vector128<uint> upper) = Vector128.Widen(Vector128.LoadUnsafe(ref src, i));
                T.Widen(lower).StoreUnsafe(ref dst, i);
                T.Widen(upper).StoreUnsafe(ref dst, i + (nuint)Vector128<uint>.Count);
            }
        }
        for (; i < length; i++)
            Unsafe.Add(ref dst, i) = T.Widen(Unsafe.Add(ref src, i));
    }
}
