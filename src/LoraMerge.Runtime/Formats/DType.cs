namespace LoraMerge.Formats;

/// <summary>Tensor element types, named exactly as the safetensors header names them.</summary>
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
}
