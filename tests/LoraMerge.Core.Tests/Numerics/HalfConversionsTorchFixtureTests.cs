using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using LoraMerge.Numerics;

namespace LoraMerge.Core.Tests.Numerics;

/// <summary>
/// Compares with what PyTorch produced, as recorded by tests/fixtures/numerics/torch_half_conversions.py:
/// SHA-256 hashes of whole conversion tables and of 4M pseudo-random floats, plus hand-picked cases.
/// </summary>
public sealed class HalfConversionsTorchFixtureTests
{
    private static readonly Lazy<string[]> FixtureLines = new(() => File.ReadAllLines(Path.Combine(FixturesDir(), "numerics", "torch-half-conversions.txt")));

    [Fact]
    public void Bf16TableMatchesPyTorch()
    {
        var widened = new float[65536];
        HalfConversions.Bf16ToF32(HalfConversionTestData.AllPatterns(), widened);
        Assert.Equal(FixtureValue("table bf16-to-f32"), Sha256(widened));
    }

    [Fact]
    public void F16TableMatchesPyTorch()
    {
        var widened = new float[65536];
        HalfConversions.F16ToF32(HalfConversionTestData.AllPatterns(), widened);
        Assert.Equal(FixtureValue("table f16-to-f32"), Sha256(widened));
    }

    [Fact]
    public void RandomFloatsRoundToBf16AsPyTorchDoes()
    {
        (int count, string hash) = RandomFixture("f32-to-bf16");
        var narrowed = new ushort[count];
        HalfConversions.F32ToBf16(FixtureRandomFloats(count), narrowed);
        Assert.Equal(hash, Sha256(narrowed));
    }

    [Fact]
    public void RandomFloatsRoundToF16AsPyTorchDoes()
    {
        (int count, string hash) = RandomFixture("f32-to-f16");
        var narrowed = new ushort[count];
        HalfConversions.F32ToF16(FixtureRandomFloats(count), narrowed);
        Assert.Equal(hash, Sha256(narrowed));
    }

    [Fact]
    public void SpecialCasesRoundAsPyTorchDoes()
    {
        var cases = FixtureLines.Value.Where(line => line.StartsWith("case ", StringComparison.Ordinal))
            .Select(line => line.Split(' '))
            .Select(parts => (Input: BitConverter.UInt32BitsToSingle(ParseHex(parts[1])), Bf16: (ushort)ParseHex(parts[2]), F16: (ushort)ParseHex(parts[3])))
            .ToArray();
        Assert.True(cases.Length > 100, "the fixture should list the special cases");

        float[] inputs = cases.Select(c => c.Input).ToArray();
        var bf16 = new ushort[inputs.Length];
        var f16 = new ushort[inputs.Length];
        HalfConversions.F32ToBf16(inputs, bf16);
        HalfConversions.F32ToF16(inputs, f16);
        for (int i = 0; i < cases.Length; i++)
        {
            string input = BitConverter.SingleToUInt32Bits(inputs[i]).ToString("X8", CultureInfo.InvariantCulture);
            Assert.True(cases[i].Bf16 == bf16[i] && cases[i].Bf16 == HalfConversions.F32ToBf16(inputs[i]), $"bf16 of {input}");
            Assert.True(cases[i].F16 == f16[i] && cases[i].F16 == HalfConversions.F32ToF16(inputs[i]), $"f16 of {input}");
        }
    }

    /// <summary>Same generator as random_f32_bits in the Python script.</summary>
    private static float[] FixtureRandomFloats(int count)
    {
        var values = new float[count];
        for (uint i = 0; i < count; i++)
        {
            uint x = unchecked((i * 0x9E3779B9u) + 0x7F4A7C15u);
            x ^= x >> 16;
            x = unchecked(x * 0x85EBCA6Bu);
            x ^= x >> 13;
            x = unchecked(x * 0xC2B2AE35u);
            x ^= x >> 16;
            if (i % 2 == 1)
            {
                uint exponent = 100 + (((x >> 23) & 0xFF) % 48);
                x = (x & 0x807FFFFFu) | (exponent << 23);
            }

            if ((x & 0x7FFFFFFFu) > 0x7F800000u)
            {
                x &= 0xBFFFFFFFu;
            }

            values[i] = BitConverter.UInt32BitsToSingle(x);
        }

        return values;
    }

    private static (int Count, string Hash) RandomFixture(string conversion)
    {
        string[] parts = FixtureLines.Value.Single(line => line.StartsWith("random ", StringComparison.Ordinal) && line.Contains(" " + conversion + " ", StringComparison.Ordinal)).Split(' ');
        return (int.Parse(parts[1], CultureInfo.InvariantCulture), parts[3]);
    }

    private static string FixtureValue(string key) =>
        FixtureLines.Value.Single(line => line.StartsWith(key + " ", StringComparison.Ordinal))[(key.Length + 1)..];

    private static string Sha256<T>(T[] values)
        where T : unmanaged
    {
        Assert.True(BitConverter.IsLittleEndian, "the fixture hashes little-endian bytes");
        return Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())));
    }

    private static uint ParseHex(string text) => uint.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static string FixturesDir() =>
        typeof(HalfConversionsTorchFixtureTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "FixturesDir").Value!;
}
