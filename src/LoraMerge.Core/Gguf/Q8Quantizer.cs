using System.Buffers.Binary;
using LoraMerge.Numerics;

namespace LoraMerge.Gguf;

/// <summary>
/// ggml's Q8_0 reference quantizer (<c>quantize_row_q8_0_ref</c>), which llama-quantize runs: per block of 32,
/// <c>d = amax / 127</c>, <c>q = roundf(x · (1/d))</c> (half away from zero), <c>d</c> stored as f16 (round to nearest
/// even). All in f32, in the same order, so the bytes are llama.cpp's.
/// </summary>
public static class Q8Quantizer
{
    /// <param name="row">A multiple of 32 values.</param>
    /// <param name="destination">34 bytes per block: the f16 scale, then 32 int8.</param>
    public static void QuantizeRow(ReadOnlySpan<float> row, Span<byte> destination)
    {
        const int block = GgufTensorTypes.Q8BlockElements;
        if (row.Length % block != 0)
            throw new ArgumentException($"Q8_0 rows hold a multiple of {block} values, not {row.Length}.", nameof(row));
        int blocks = row.Length / block;
        if (destination.Length < blocks * GgufTensorTypes.Q8BlockBytes)
            throw new ArgumentException("The destination is too short.", nameof(destination));
        for (int b = 0; b < blocks; b++)
        {
            var x = row.Slice(b * block, block);
            var y = destination.Slice(b * GgufTensorTypes.Q8BlockBytes, GgufTensorTypes.Q8BlockBytes);
            float amax = 0f;
            foreach (float v in x)
            {
                float a = MathF.Abs(v);
                amax = amax > a ? amax : a; // ggml's MAX(a, b) macro, NaN behaviour included
            }
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            BinaryPrimitives.WriteUInt16LittleEndian(y, HalfConversions.F32ToF16(d));
            for (int j = 0; j < block; j++)
                y[2 + j] = ToInt8(MathF.Round(x[j] * id, MidpointRounding.AwayFromZero));
        }
    }

    /// <summary>
    /// C's float to int8_t as x86-64 compilers emit it: truncate to int32, where NaN and out-of-range values become
    /// 0x80000000, then keep the low byte. Only reachable when <c>1/d</c> overflows (amax below ~3.7e-37).
    /// </summary>
    private static byte ToInt8(float rounded) =>
        (byte)(float.IsNaN(rounded) || MathF.Abs(rounded) >= 2147483648f ? int.MinValue : (int)rounded);
}
