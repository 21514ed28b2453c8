using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LoraMerge.Numerics;

public static partial class HalfConversions
{
    /// <summary>Rounds every <see cref="float"/> in <paramref name="source"/> to IEEE binary16; same results as <see cref="F32ToF16(float)"/>.</summary>
    /// <exception cref="ArgumentException">The spans have different lengths.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void F32ToF16(ReadOnlySpan<float> source, Span<ushort> destination)
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
                Vector512<uint> lower = RoundToF16(Vector512.LoadUnsafe(ref src, i));
                Vector512<uint> upper = RoundToF16(Vector512.LoadUnsafe(ref src, i + (nuint)Vector512<float>.Count));
                Vector512.Narrow(lower, upper).StoreUnsafe(ref dst, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<ushort>.Count <= length; i += (nuint)Vector256<ushort>.Count)
            {
                Vector256<uint> lower = RoundToF16(Vector256.LoadUnsafe(ref src, i));
                Vector256<uint> upper = RoundToF16(Vector256.LoadUnsafe(ref src, i + (nuint)Vector256<float>.Count));
                Vector256.Narrow(lower, upper).StoreUnsafe(ref dst, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<ushort>.Count <= length; i += (nuint)Vector128<ushort>.Count)
            {
                Vector128<uint> lower = RoundToF16(Vector128.LoadUnsafe(ref src, i));
                Vector128<uint> upper = RoundToF16(Vector128.LoadUnsafe(ref src, i + (nuint)Vector128<float>.Count));
                Vector128.Narrow(lower, upper).StoreUnsafe(ref dst, i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref dst, i) = F32ToF16(Unsafe.Add(ref src, i));
        }
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
