using System.Buffers;
using System.Runtime.InteropServices;
using LoraMerge.Formats;
using LoraMerge.Numerics;

namespace LoraMerge.Gguf;

/// <summary>
/// Turns whole rows of a stored safetensors dtype (F32, F16, BF16) into rows of a GGUF tensor type: widened to f32
/// exactly, then rounded to nearest even (F16, BF16) or quantized (Q8_0), as llama.cpp's converter does from the same
/// float values. Equal types copy the bytes.
/// </summary>
public readonly record struct GgufRowEncoder(DType Source, GgufTensorType Target, long Columns)
{
    public long SourceRowBytes => Columns * DTypes.SizeOf(Source);

    public long TargetRowBytes => GgufTensorTypes.RowBytes(Target, Columns);

    public bool IsPlainCopy => (Source, Target) is (DType.F32, GgufTensorType.F32) or (DType.F16, GgufTensorType.F16) or (DType.BF16, GgufTensorType.BF16);

    /// <summary>Encodes <c>source.Length / SourceRowBytes</c> rows into <paramref name="destination"/>.</summary>
    public void Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int rows = checked((int)(source.Length / SourceRowBytes));
        if (IsPlainCopy)
        {
            source.CopyTo(destination);
            return;
        }
        int columns = checked((int)Columns);
        float[] scratch = ArrayPool<float>.Shared.Rent(columns);
        try
        {
            var values = scratch.AsSpan(0, columns);
            for (int r = 0; r < rows; r++)
            {
                var sourceRow = source.Slice(checked((int)(r * SourceRowBytes)), (int)SourceRowBytes);
                var targetRow = destination.Slice(checked((int)(r * TargetRowBytes)), (int)TargetRowBytes);
                if (!FloatWidening.TryWiden(Source, sourceRow, values))
                    throw new InvalidOperationException($"{Source} is not a float dtype.");
                switch (Target)
                {
                    case GgufTensorType.F32:
                        MemoryMarshal.AsBytes(values).CopyTo(targetRow);
                        break;
                    case GgufTensorType.F16:
                        HalfConversions.F32ToF16(values, MemoryMarshal.Cast<byte, ushort>(targetRow));
                        break;
                    case GgufTensorType.BF16:
                        HalfConversions.F32ToBf16(values, MemoryMarshal.Cast<byte, ushort>(targetRow));
                        break;
                    case GgufTensorType.Q8_0:
                        Q8Quantizer.QuantizeRow(values, targetRow);
                        break;
                    default:
                        throw new InvalidOperationException($"Unknown GGUF type {Target}.");
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }
}
