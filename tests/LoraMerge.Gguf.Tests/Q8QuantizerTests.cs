using System.Text.Json;
using LoraMerge.Gguf.Tests.TestSupport;

namespace LoraMerge.Gguf.Tests;

public sealed class Q8QuantizerTests
{
    /// <summary>tests/fixtures/gguf/make_q8_0_reference.py: ggml's reference quantizer from its description, in plain Python.</summary>
    [Fact]
    public void BlocksEqualTheIndependentReference()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GgufFixtures.Dir, "gguf", "q8_0_reference.json")));
        int cases = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var row = c.GetProperty("input").EnumerateArray().Select(e => BitConverter.UInt32BitsToSingle(e.GetUInt32())).ToArray();
            var expected = Convert.FromHexString(c.GetProperty("q8_0").GetString()!);
            var actual = new byte[row.Length / 32 * 34];
            Q8Quantizer.QuantizeRow(row, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"case {cases}: expected {Convert.ToHexString(expected)}, got {Convert.ToHexString(actual)}");
            cases++;
        }
        Assert.True(cases >= 9);
    }

    [Fact]
    public void TiesRoundAwayFromZero()
    {
        var row = new float[32];
        row[0] = 127;
        row[1] = 63.5f;
        row[2] = -63.5f;
        var q = new byte[34];
        Q8Quantizer.QuantizeRow(row, q);
        Assert.Equal([0x00, 0x3C], q[..2]); // d = 1.0 as f16
        Assert.Equal(64, (sbyte)q[3]);
        Assert.Equal(-64, (sbyte)q[4]);
    }

    /// <summary>The vector path against the scalar one (ggml's loop as written) on values full of exact ties.</summary>
    [Fact]
    public void VectorBlocksEqualScalarBlocks()
    {
        var random = new Random(7);
        int vectorBlocks = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            var x = new float[32];
            float scale = MathF.Pow(2, random.Next(-30, 30));
            for (int i = 0; i < 32; i++)
                x[i] = random.Next(4) switch
                {
                    0 => (float)(random.NextDouble() - 0.5) * scale,
                    1 => (random.Next(-254, 255) / 2f) * scale / 127f * 127f, // halves after scaling by 1/d
                    2 => -0f,
                    _ => random.Next(-127, 128),
                };
            var scalar = new byte[34];
            var vector = new byte[34];
            Q8Quantizer.QuantizeBlockScalar(x, scalar);
            if (!Q8Quantizer.QuantizeBlockVector(x, vector))
                continue;
            vectorBlocks++;
            Assert.True(scalar.AsSpan().SequenceEqual(vector), $"trial {trial}: scalar {Convert.ToHexString(scalar)}, vector {Convert.ToHexString(vector)}");
        }
        Assert.True(vectorBlocks > 1900);
    }

    [Fact]
    public void BlocksWithNaNOrATinyMaximumTakeTheScalarPath()
    {
        var x = new float[32];
        x[3] = float.NaN;
        Assert.False(Q8Quantizer.QuantizeBlockVector(x, new byte[34]));
        x[3] = 1e-40f;
        Assert.False(Q8Quantizer.QuantizeBlockVector(x, new byte[34]));
    }

    [Fact]
    public void RowsMustBeWholeBlocks() =>
        Assert.Throws<ArgumentException>(() => Q8Quantizer.QuantizeRow(new float[33], new byte[68]));
}
