namespace LoraMerge.Formats;

public static class DTypes
{
    /// <summary>Bits per element, as safetensors sizes them: F4 and F6 are packed below a byte, the rest are whole bytes.</summary>
    public static int BitsOf(DType dtype) => dtype switch
    {
        DType.F4 => 4,
        DType.F6_E2M3 or DType.F6_E3M2 => 6,
        DType.BOOL or DType.U8 or DType.I8 or DType.F8_E4M3 or DType.F8_E5M2
            or DType.F8_E8M0 or DType.F8_E4M3FNUZ or DType.F8_E5M2FNUZ => 8,
        DType.I16 or DType.U16 or DType.F16 or DType.BF16 => 16,
        DType.I32 or DType.U32 or DType.F32 => 32,
        DType.I64 or DType.U64 or DType.F64 or DType.C64 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>Bytes per element of a whole-byte dtype; a packed one (F4, F6) has none and throws.</summary>
    public static int SizeOf(DType dtype)
    {
        int bits = BitsOf(dtype);
        return bits % 8 == 0 ? bits / 8 : throw new ArgumentException($"{dtype} packs {bits}-bit elements; it has no size in bytes.", nameof(dtype));
    }

    /// <summary>
    /// The bytes of <paramref name="elements"/> elements: <c>elements × bits / 8</c>. Null when they do not fill whole
    /// bytes, which safetensors rejects (an F4 tensor has an even element count, an F6 one a multiple of 4).
    /// Throws <see cref="OverflowException"/> when the bit count does not fit a long.
    /// </summary>
    public static long? ByteLengthOf(DType dtype, long elements)
    {
        long bits = checked(elements * BitsOf(dtype));
        return bits % 8 == 0 ? bits / 8 : null;
    }

    /// <summary>The floating-point types a merge can compute on (read as f32, written back in their own type).</summary>
    public static bool IsMergeable(DType dtype) => dtype is DType.F32 or DType.F16 or DType.BF16;

    public static bool IsFloatingPoint(DType dtype) =>
        dtype is DType.F16 or DType.BF16 or DType.F32 or DType.F64 or DType.F8_E4M3 or DType.F8_E5M2
            or DType.F8_E8M0 or DType.F8_E4M3FNUZ or DType.F8_E5M2FNUZ or DType.F6_E2M3 or DType.F6_E3M2 or DType.F4;

    public static string Name(DType dtype) => dtype.ToString();

    public static bool TryParse(string name, out DType dtype) => TryParse(name.AsSpan(), out dtype);

    public static bool TryParse(ReadOnlySpan<char> name, out DType dtype)
    {
        foreach (var candidate in Enum.GetValues<DType>())
        {
            if (name.SequenceEqual(candidate.ToString()))
            {
                dtype = candidate;
                return true;
            }
        }
        dtype = default;
        return false;
    }
}
