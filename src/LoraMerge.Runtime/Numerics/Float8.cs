namespace LoraMerge.Numerics;

/// <summary>Widening of the two 8-bit float formats safetensors names (F8_E4M3 is the "FN" variant: no infinities, one NaN).</summary>
internal static class Float8
{
    private static readonly float[] E4M3Table = BuildE4M3Table();

    public static float E4M3ToF32(byte bits) => E4M3Table[bits];

    /// <summary>E5M2 is the top byte of an IEEE half.</summary>
    public static float E5M2ToF32(byte bits) => HalfConversions.F16ToF32((ushort)(bits << 8));

    private static float[] BuildE4M3Table()
    {
        var table = new float[256];
        for (var b = 0; b < 256; b++)
        {
            var sign = (b & 0x80) != 0 ? -1f : 1f;
            var exponent = (b >> 3) & 0xF;
            var mantissa = b & 0x7;
            float magnitude;
            if (exponent == 0xF && mantissa == 0x7) magnitude = float.NaN;
            else if (exponent == 0) magnitude = MathF.ScaleB(mantissa, -9);
            else magnitude = MathF.ScaleB(8 + mantissa, exponent - 10);
            table[b] = sign * magnitude;
        }
        return table;
    }
}
