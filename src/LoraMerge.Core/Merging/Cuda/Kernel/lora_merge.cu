// The CUDA merge kernel: one thread per stored element of a row tile. Compiled to PTX with clang's NVPTX backend
// (no CUDA toolkit needed); see docs/gpu.md for the exact command. The arithmetic mirrors LowRankKernel.cs and
// HalfConversions.cs bit for bit: every product and sum is rounded separately (mul.rn / add.rn, which ptxas never
// fuses into an FMA), no flush-to-zero, and one round-to-nearest-even back to the stored dtype.

#define LM_GLOBAL __attribute__((global))
#define LM_DEVICE __attribute__((device)) static inline

typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

// One low-rank term for the tile: L is (tile rows x rank) row-major, R is (rank x columns) row-major. 24 bytes.
struct Term
{
    const float* left;
    const float* right;
    int rank;
    float scale;
};

LM_DEVICE float bits_to_float(u32 bits) { return __builtin_bit_cast(float, bits); }
LM_DEVICE u32 float_to_bits(float value) { return __builtin_bit_cast(u32, value); }
LM_DEVICE float mul_rn(float a, float b) { return __nvvm_mul_rn_f(a, b); }
LM_DEVICE float add_rn(float a, float b) { return __nvvm_add_rn_f(a, b); }

LM_DEVICE float bf16_to_f32(u16 bits) { return bits_to_float((u32)bits << 16); }

LM_DEVICE u16 f32_to_bf16(float value)
{
    u32 bits = float_to_bits(value);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u)
        return 0x7FC0u;
    u32 lowest_kept_bit = (bits >> 16) & 1u;
    return (u16)((bits + 0x7FFFu + lowest_kept_bit) >> 16);
}

LM_DEVICE float f16_to_f32(u16 bits)
{
    u32 sign = ((u32)bits & 0x8000u) << 16;
    u32 magnitude = (u32)bits & 0x7FFFu;
    u32 shifted = magnitude << 13;
    u32 result;
    if (magnitude >= 0x7C00u)
        result = shifted | 0x7F800000u | (magnitude > 0x7C00u ? 0x00400000u : 0u);
    else if (magnitude >= 0x0400u)
        result = shifted + ((127u - 15u) << 23);
    else
        result = float_to_bits(add_rn(bits_to_float(shifted + 0x38800000u), -bits_to_float(0x38800000u)));
    return bits_to_float(sign | result);
}

LM_DEVICE u16 f32_to_f16(float value)
{
    u32 w = float_to_bits(value);
    u32 twice_w = w + w;
    u32 sign = (w & 0x80000000u) >> 16;
    if (twice_w > 0xFF000000u)
        return (u16)(sign | 0x7E00u);
    float scaled = mul_rn(mul_rn(bits_to_float(w & 0x7FFFFFFFu), 5.192296858534828e+33f), 7.703719777548943e-34f);
    u32 bias = twice_w & 0xFF000000u;
    if (bias < 0x71000000u)
        bias = 0x71000000u;
    float rounded = add_rn(bits_to_float((bias >> 1) + 0x07800000u), scaled);
    u32 rounded_bits = float_to_bits(rounded);
    u32 non_sign = ((rounded_bits >> 13) & 0x7C00u) + (rounded_bits & 0x0FFFu);
    return (u16)(sign | non_sign);
}

// acc + sum over terms of (sum_k L[row,k] * R[k,column]) * scale, in the CPU's order.
LM_DEVICE float add_terms(float acc, const struct Term* terms, int term_count, u64 row, u64 column, u64 columns)
{
    for (int t = 0; t < term_count; t++)
    {
        const float* left = terms[t].left + row * (u64)terms[t].rank;
        const float* right = terms[t].right + column;
        int rank = terms[t].rank;
        float dot = 0.0f;
        for (int k = 0; k < rank; k++)
            dot = add_rn(dot, mul_rn(left[k], right[(u64)k * columns]));
        acc = add_rn(acc, mul_rn(dot, terms[t].scale));
    }
    return acc;
}

LM_DEVICE int element(u64* row, u64* column, int columns)
{
    *row = __nvvm_read_ptx_sreg_ctaid_y();
    *column = (u64)__nvvm_read_ptx_sreg_ctaid_x() * __nvvm_read_ptx_sreg_ntid_x() + __nvvm_read_ptx_sreg_tid_x();
    return *column < (u64)columns;
}

// Grid: x covers the columns (blockDim.x threads each), y is the row within the tile.
extern "C" LM_GLOBAL void lora_merge_f32(const float* base, float* out, const struct Term* terms, int term_count, int columns)
{
    u64 row, column;
    if (!element(&row, &column, columns))
        return;
    u64 index = row * (u64)columns + column;
    out[index] = add_terms(base[index], terms, term_count, row, column, (u64)columns);
}

extern "C" LM_GLOBAL void lora_merge_bf16(const u16* base, u16* out, const struct Term* terms, int term_count, int columns)
{
    u64 row, column;
    if (!element(&row, &column, columns))
        return;
    u64 index = row * (u64)columns + column;
    out[index] = f32_to_bf16(add_terms(bf16_to_f32(base[index]), terms, term_count, row, column, (u64)columns));
}

extern "C" LM_GLOBAL void lora_merge_f16(const u16* base, u16* out, const struct Term* terms, int term_count, int columns)
{
    u64 row, column;
    if (!element(&row, &column, columns))
        return;
    u64 index = row * (u64)columns + column;
    out[index] = f32_to_f16(add_terms(f16_to_f32(base[index]), terms, term_count, row, column, (u64)columns));
}
