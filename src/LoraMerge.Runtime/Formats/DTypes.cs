using System.Diagnostics.CodeAnalysis;

namespace LoraMerge.Formats;

public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(DType dtype) => dtype switch
    {
        DType.BOOL or DType.U8 or DType.I8 or DType.F8_E4M3 or DType.F8_E5M2 => 1,
        DType.I16 or DType.U16 or DType.F16 or DType.BF16 => 2,
        DType.I32 or DType.U32 or DType.F32 => 4,
        DType.I64 or DType.U64 or DType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The floating-point types a merge can compute on (read as f32, written back in their own type).</summary>
    public static bool IsMergeable(DType dtype) => dtype is DType.F32 or DType.F16 or DType.BF16;

    public static bool IsFloatingPoint(DType dtype) =>
        dtype is DType.F16 or DType.BF16 or DType.F32 or DType.F64 or DType.F8_E4M3 or DType.F8_E5M2;

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
