using System.Buffers.Binary;
using System.Runtime.Intrinsics;
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
            if (Vector256.IsHardwareAccelerated && QuantizeBlockVector(x, y))
                continue;
            QuantizeBlockScalar(x, y);
        }
    }

    internal static void QuantizeBlockScalar(ReadOnlySpan<float> x, Span<byte> y)
    {
        float amax = 0f;
        foreach (float v in x)
        {
            float a = MathF.Abs(v);
            amax = amax > a ? amax : a; // ggml's MAX(a, b) macro, NaN behaviour included
        }
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        BinaryPrimitives.WriteUInt16LittleEndian(y, HalfConversions.F32ToF16(d));
        for (int j = 0; j < x.Length; j++)
            y[2 + j] = ToInt8(MathF.Round(x[j] * id, MidpointRounding.AwayFromZero));
    }

    /// <summary>
    /// The same arithmetic on four vectors of eight: the maximum is exact in any order, products are single f32
    /// multiplications, and rounding half away from zero is round-to-even corrected at exact ties. Returns false (and
    /// writes nothing) for a block holding NaN, whose maximum depends on ggml's order.
    /// </summary>
    internal static bool QuantizeBlockVector(ReadOnlySpan<float> x, Span<byte> y)
    {
        var v0 = Vector256.Create(x[..8]);
        var v1 = Vector256.Create(x.Slice(8, 8));
        var v2 = Vector256.Create(x.Slice(16, 8));
        var v3 = Vector256.Create(x.Slice(24, 8));
        var nan = ~(Vector256.Equals(v0, v0) & Vector256.Equals(v1, v1) & Vector256.Equals(v2, v2) & Vector256.Equals(v3, v3));
        if (nan != Vector256<float>.Zero)
            return false;
        var max = Vector256.Max(Vector256.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Vector256.Max(Vector256.Abs(v2), Vector256.Abs(v3)));
        float amax = 0f;
        for (int i = 0; i < 8; i++)
            amax = MathF.Max(amax, max[i]);
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        if (float.IsInfinity(id))
            return false; // amax below ~3.7e-37: the scalar path reproduces C's conversion of infinities
        BinaryPrimitives.WriteUInt16LittleEndian(y, HalfConversions.F32ToF16(d));
        var scale = Vector256.Create(id);
        var low = Vector256.Narrow(Quantize(v0 * scale), Quantize(v1 * scale));
        var high = Vector256.Narrow(Quantize(v2 * scale), Quantize(v3 * scale));
        Vector256.Narrow(low, high).AsByte().CopyTo(y.Slice(2, 32));
        return true;
    }

    private static Vector256<int> Quantize(Vector256<float> scaled)
    {
        var even = Vector256.Round(scaled); // to nearest, ties to even
        var tie = Vector256.Equals(Vector256.Abs(scaled - even), Vector256.Create(0.5f));
        // At an exact tie x = k + 0.5 (|x| <= 127 here), x ± 0.5 is exact and lands away from zero.
        var away = scaled + Vector256.CopySign(Vector256.Create(0.5f), scaled);
        return Vector256.ConvertToInt32Native(Vector256.ConditionalSelect(tie, away, even));
    }

    /// <summary>
    /// C's float to int8_t as x86-64 compilers emit it: truncate to int32, where NaN and out-of-range values become
    /// 0x80000000, then keep the low byte. Only reachable when <c>1/d</c> overflows (amax below ~3.7e-37).
    /// </summary>
    private static byte ToInt8(float rounded) =>
        (byte)(float.IsNaN(rounded) || MathF.Abs(rounded) >= 2147483648f ? int.MinValue : (int)rounded);
}
