namespace LoraMerge.Gguf;

/// <summary>The ggml tensor types LoraMerge writes, with ggml's numbers.</summary>
public enum GgufTensorType : uint
{
    F32 = 0,
    F16 = 1,
    Q8_0 = 8,
    BF16 = 30,
}

/// <summary>Block geometry and names of <see cref="GgufTensorType"/>: the one owner of the <c>--gguf-type</c> names.</summary>
public static class GgufTensorTypes
{
    /// <summary>Elements in a Q8_0 block: one f16 scale and this many int8.</summary>
    public const int Q8BlockElements = 32;

    public const int Q8BlockBytes = 2 + Q8BlockElements;

    /// <summary>The names accepted by <c>--gguf-type</c> and <c>GgufType=</c>, lower case.</summary>
    public static IReadOnlyList<string> Names { get; } = ["f32", "f16", "bf16", "q8_0"];

    public static bool TryParse(string? name, out GgufTensorType type)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "f32": type = GgufTensorType.F32; return true;
            case "f16": type = GgufTensorType.F16; return true;
            case "bf16": type = GgufTensorType.BF16; return true;
            case "q8_0": type = GgufTensorType.Q8_0; return true;
            default: type = default; return false;
        }
    }

    public static string Name(GgufTensorType type) => type switch
    {
        GgufTensorType.F32 => "f32",
        GgufTensorType.F16 => "f16",
        GgufTensorType.BF16 => "bf16",
        GgufTensorType.Q8_0 => "q8_0",
        _ => ((uint)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Bytes of one row of <paramref name="columns"/> elements (a multiple of 32 for Q8_0).</summary>
    public static long RowBytes(GgufTensorType type, long columns) => type switch
    {
        GgufTensorType.F32 => 4 * columns,
        GgufTensorType.F16 or GgufTensorType.BF16 => 2 * columns,
        GgufTensorType.Q8_0 => columns % Q8BlockElements == 0
            ? columns / Q8BlockElements * Q8BlockBytes
            : throw new ArgumentException($"Q8_0 rows must hold a multiple of {Q8BlockElements} elements, not {columns}.", nameof(columns)),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>llama.cpp's <c>general.file_type</c> (LLAMA_FTYPE) for a file whose matrices are of this type.</summary>
    public static uint FileType(GgufTensorType type) => type switch
    {
        GgufTensorType.F32 => 0,
        GgufTensorType.F16 => 1,
        GgufTensorType.Q8_0 => 7,
        GgufTensorType.BF16 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
