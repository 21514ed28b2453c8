namespace LoraMerge.Formats;

/// <summary>
/// Tensor element types, named exactly as the safetensors header names them: every dtype the safetensors format
/// defines. Members are never reordered (their values may be stored); new ones go at the end.
/// </summary>
public enum DType
{
    BOOL,
    U8,
    I8,
    F8_E4M3,
    F8_E5M2,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    I64,
    U64,
    F64,

    /// <summary>OCP microscaling scale: 8 exponent bits, no sign or mantissa.</summary>
    F8_E8M0,

    /// <summary>FP8 E4M3 with no negative zero and NaN at 0x80 (AMD's layout).</summary>
    F8_E4M3FNUZ,

    /// <summary>FP8 E5M2 with no negative zero and NaN at 0x80 (AMD's layout).</summary>
    F8_E5M2FNUZ,

    /// <summary>OCP MXFP6, 6 bits an element, packed.</summary>
    F6_E2M3,

    /// <summary>OCP MXFP6, 6 bits an element, packed.</summary>
    F6_E3M2,

    /// <summary>OCP MXFP4 (E2M1), 4 bits an element, packed.</summary>
    F4,

    /// <summary>Complex: two F32 parts.</summary>
    C64,
}
