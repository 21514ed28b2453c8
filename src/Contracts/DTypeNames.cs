namespace LoraMerge.Contracts;

/// <summary>The dtypes as safetensors names them: the manifest's <c>dtype</c> values and <c>DType</c>'s member names.</summary>
internal static class DTypeNames
{
    public static readonly string[] All =
    {
        "BOOL", "U8", "I8", "F8_E4M3", "F8_E5M2", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "I64", "U64", "F64",
        "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "F6_E2M3", "F6_E3M2", "F4", "C64",
    };
}
