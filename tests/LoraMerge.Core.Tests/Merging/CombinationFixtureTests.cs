using System.Text.Json;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Formats;
using LoraMerge.Merging;
using LoraMerge.Requests;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>
/// Every case under tests/fixtures/combination/ (PEFT's add_weighted_adapter combination types) against the
/// independent torch reference of its generate.py: exact bytes for the deterministic types (and DARE, whose stream the
/// reference reimplements), the case's tolerance for the _svd types (torch.linalg.svd of the full delta there).
/// </summary>
public sealed class CombinationFixtureTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Fixtures.Path("combination")).Order(StringComparer.Ordinal))
            if (File.Exists(Path.Combine(dir, "case.json")))
                data.Add(Path.GetFileName(dir));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CombinationMatchesTheReference(string name) => Check(name, MergeRounding.Single, "expected");

    [Theory]
    [MemberData(nameof(Cases))]
    public void PeftRoundingMatchesTheReferenceWithPeftsRoundingPoints(string name) =>
        Check(name, MergeRounding.Peft, Case(name).GetProperty("expectedWithPeftRounding").GetString()!);

    [Fact]
    public void DareIsTheSameOnOneThreadAndOnTwo()
    {
        using var temp = new TempDirectory();
        MergeEngine.Merge(Options("dare_ties_f32", temp.File("one")) with { Threads = 1 });
        MergeEngine.Merge(Options("dare_ties_f32", temp.File("two")) with { Threads = 2 });
        Assert.Equal(File.ReadAllBytes(temp.File("one", "model.safetensors")), File.ReadAllBytes(temp.File("two", "model.safetensors")));
    }

    internal static JsonElement Case(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Fixtures.Path("combination", name, "case.json")));
        return doc.RootElement.Clone();
    }

    internal static MergeOptions Options(string name, string output)
    {
        var json = Case(name);
        string folder = Fixtures.Path("combination", name);
        // The request's own reader parses the combination, as the CLI's and the build's requests are parsed.
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("baseModel", Path.GetFullPath(Path.Combine(folder, json.GetProperty("base").GetString()!)));
            w.WriteString("outputDirectory", output);
            w.WriteStartArray("adapters");
            foreach (var a in json.GetProperty("adapters").EnumerateArray())
            {
                w.WriteStartObject();
                w.WriteString("directory", Path.GetFullPath(Path.Combine(folder, a.GetProperty("path").GetString()!)));
                w.WriteNumber("weight", a.GetProperty("weight").GetDouble());
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteBoolean("safeMerge", json.GetProperty("safeMerge").GetBoolean());
            w.WritePropertyName("combination");
            json.GetProperty("combination").WriteTo(w);
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(buffer.ToArray());
        return MergeOptionsJson.Read(doc.RootElement, "case.json");
    }

    private static void Check(string name, MergeRounding rounding, string expectedFolder)
    {
        var json = Case(name);
        using var temp = new TempDirectory();
        string output = temp.File("out");
        MergeEngine.Merge(Options(name, output) with { Rounding = rounding });
        using var expected = SafetensorsFile.Open(Fixtures.Path("combination", name, expectedFolder, "model.safetensors"));
        using var actual = SafetensorsFile.Open(Path.Combine(output, "model.safetensors"));
        Assert.Equal(expected.Header.Tensors.Select(t => t.Name), actual.Header.Tensors.Select(t => t.Name));
        bool tolerance = json.GetProperty("comparison").GetString() == "tolerance";
        double largest = 0;
        string? worst = null;
        foreach (var t in expected.Header.Tensors)
        {
            var e = expected.GetBytes(t);
            var a = actual.GetBytes(actual.Header.Find(t.Name)!);
            if (!tolerance)
            {
                Assert.True(e.SequenceEqual(a), $"{name}: {t.Name} differs from the reference");
                continue;
            }
            var ev = Widen(t.DType, e);
            var av = Widen(t.DType, a);
            for (int i = 0; i < ev.Length; i++)
            {
                double d = t.DType == DType.F32 ? Math.Abs((double)ev[i] - av[i]) : Math.Abs(Ordered(e, i) - Ordered(a, i));
                if (d > largest)
                    (largest, worst) = (d, $"{t.Name}[{i}]");
            }
        }
        if (!tolerance)
            return;
        var bound = json.GetProperty("tolerance");
        double limit = expected.Header.Tensors[0].DType == DType.F32
            ? bound.GetProperty("relativeToMaxDelta").GetDouble() * bound.GetProperty("maxDelta").GetDouble()
            : bound.GetProperty("ulps").GetInt32();
        Assert.True(largest <= limit, $"{name}: {worst} is {largest:E3} from the reference (tolerance {limit:E3}; ulps for half bases)");
    }

    private static float[] Widen(DType dtype, ReadOnlySpan<byte> bytes)
    {
        var values = new float[bytes.Length / DTypes.SizeOf(dtype)];
        FloatReader.Widen(dtype, bytes, values, "fixture", "tensor");
        return values;
    }

    private static long Ordered(ReadOnlySpan<byte> bytes, int i)
    {
        long bits = BitConverter.ToUInt16(bytes.Slice(i * 2, 2));
        return (bits & 0x8000) != 0 ? -(bits & 0x7FFF) : bits;
    }
}
