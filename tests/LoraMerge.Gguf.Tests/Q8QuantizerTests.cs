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

    [Fact]
    public void RowsMustBeWholeBlocks() =>
        Assert.Throws<ArgumentException>(() => Q8Quantizer.QuantizeRow(new float[33], new byte[68]));
}
