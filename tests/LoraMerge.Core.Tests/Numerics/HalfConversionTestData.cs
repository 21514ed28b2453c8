namespace LoraMerge.Core.Tests.Numerics;

/// <summary>Inputs shared by the conversion tests: every 16-bit pattern, random floats, and rounding ties.</summary>
internal static class HalfConversionTestData
{
    public static readonly int[] SpanLengths = [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 1023];

    public static ushort[] AllPatterns()
    {
        var patterns = new ushort[65536];
        for (int i = 0; i < patterns.Length; i++)
        {
            patterns[i] = (ushort)i;
        }

        return patterns;
    }

    /// <summary>Uniform random bit patterns (every class, NaNs included) mixed with weight-like values near zero.</summary>
    public static float[] RandomFloats(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (i % 3) switch
            {
                0 => BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32)),
                1 => (float)((random.NextDouble() - 0.5) * 0.1),
                _ => (float)((random.NextDouble() - 0.5) * Math.ScaleB(1.0, random.Next(-30, 20))),
            };
        }

        return values;
    }

    /// <summary>bf16 ties (low half exactly 0x8000) and their neighbours, for random high halves of both parities.</summary>
    public static float[] Bf16Ties(int count, int seed)
    {
        var random = new Random(seed);
        uint[] lowHalves = [0x8000, 0x7FFF, 0x8001];
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            uint high = (uint)random.Next(0, 0x10000);
            values[i] = BitConverter.UInt32BitsToSingle((high << 16) | lowHalves[i % lowHalves.Length]);
        }

        return values;
    }

    /// <summary>The exact midpoint between every pair of adjacent finite f16 values of the same sign, plus the floats just below and above it.</summary>
    public static float[] F16Ties()
    {
        var values = new List<float>();
        for (int bits = 0; bits < 0x7BFF; bits++)
        {
            double low = (double)BitConverter.UInt16BitsToHalf((ushort)bits);
            double high = (double)BitConverter.UInt16BitsToHalf((ushort)(bits + 1));
            float middle = (float)((low + high) / 2);
            foreach (float value in new[] { middle, MathF.BitDecrement(middle), MathF.BitIncrement(middle) })
            {
                values.Add(value);
                values.Add(-value);
            }
        }

        // Around the overflow threshold: 65504 is the largest f16, 65520 is the tie that rounds to infinity.
        values.AddRange([65504f, 65519.996f, 65520f, MathF.BitDecrement(65520f), 65536f, float.MaxValue]);
        return values.ToArray();
    }
}
