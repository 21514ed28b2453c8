using System.Runtime.InteropServices;
using LoraMerge.Formats;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>
/// An independent scalar reference for the merge arithmetic (no engine code): sequential multiply-then-add over
/// the rank, the scale applied after, one f32 accumulation per adapter, one round-to-nearest-even at the end.
/// </summary>
internal static class ReferenceMath
{
    public static Dictionary<string, float[]> ReadAll(string path)
    {
        using var file = SafetensorsFile.Open(path);
        return file.Header.Tensors.ToDictionary(t => t.Name, t => Widen(t.DType, file.GetBytes(t)));
    }

    public static float[] Widen(DType dtype, ReadOnlySpan<byte> bytes)
    {
        if (dtype == DType.F32)
            return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        var bits = MemoryMarshal.Cast<byte, ushort>(bytes);
        var values = new float[bits.Length];
        for (int i = 0; i < bits.Length; i++)
            values[i] = dtype == DType.BF16 ? BitConverter.UInt32BitsToSingle((uint)bits[i] << 16) : (float)BitConverter.UInt16BitsToHalf(bits[i]);
        return values;
    }

    public static byte[] Narrow(DType dtype, float[] values)
    {
        if (dtype == DType.F32)
            return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var bits = new ushort[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (dtype == DType.F16)
            {
                bits[i] = BitConverter.HalfToUInt16Bits((Half)values[i]);
                continue;
            }
            uint u = BitConverter.SingleToUInt32Bits(values[i]);
            bits[i] = (ushort)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
        }
        return MemoryMarshal.AsBytes(bits.AsSpan()).ToArray();
    }

    /// <summary>One ulp of <paramref name="magnitude"/> in the given dtype.</summary>
    public static double Ulp(DType dtype, double magnitude)
    {
        int mantissaBits = dtype switch { DType.F32 => 23, DType.BF16 => 7, _ => 10 };
        int minExponent = dtype switch { DType.F32 => -126, DType.BF16 => -126, _ => -14 };
        int exponent = magnitude == 0 ? minExponent : Math.Max(minExponent, (int)Math.Floor(Math.Log2(magnitude)));
        return Math.Pow(2, exponent - mantissaBits);
    }

    /// <summary>Merges Linear LoRA adapters (lora_A/lora_B pairs of any module) into a base file, returning the expected bytes.</summary>
    public static Dictionary<string, byte[]> MergeLinear(string basePath, IReadOnlyList<(string AdapterPath, float Scale)> adapters)
    {
        using var baseFile = SafetensorsFile.Open(basePath);
        var result = new Dictionary<string, byte[]>();
        var factors = adapters.Select(a => (Tensors: ReadAll(a.AdapterPath), a.Scale)).ToArray();
        foreach (var t in baseFile.Header.Tensors)
        {
            var w = Widen(t.DType, baseFile.GetBytes(t));
            string module = "base_model.model." + t.Name[..^".weight".Length];
            bool touched = false;
            foreach (var (tensors, scale) in factors)
            {
                if (!tensors.TryGetValue(module + ".lora_A.weight", out var a))
                    continue;
                touched = true;
                var b = tensors[module + ".lora_B.weight"];
                int rows = (int)t.Shape[0], columns = (int)t.Shape[1], rank = a.Length / columns;
                for (int o = 0; o < rows; o++)
                    for (int i = 0; i < columns; i++)
                    {
                        float dot = 0;
                        for (int k = 0; k < rank; k++)
                            dot += b[o * rank + k] * a[k * columns + i];
                        w[o * columns + i] += dot * scale;
                    }
            }
            result[t.Name] = touched ? Narrow(t.DType, w) : baseFile.GetBytes(t).ToArray();
        }
        return result;
    }
}
