using LoraMerge.Gguf.Tests.TestSupport;
using LoraMerge.Merging;

namespace LoraMerge.Gguf.Tests;

/// <summary>
/// <c>lora-merge.json</c> of merges with a GGUF (hashed while written) equals the committed expectation under
/// tests/fixtures/provenance/ byte for byte, the tool's version aside. LORAMERGE_WRITE_EXPECTED_REPORTS=1 writes them.
/// </summary>
public sealed class GgufMergeReportTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("loramerge-gguf-report-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData("linear_bf16", "q8_0", true)]
    [InlineData("two_adapters_weighted_bf16", "bf16", false)]
    public void ReportIsByteIdenticalToTheCommittedOne(string name, string type, bool withSafetensors)
    {
        var options = GgufFixtures.CaseWithTokenizer(name, _temp);
        // The adapters move beside the base, so the report's relative paths do not depend on where the tests run.
        var adapters = new List<AdapterInput>();
        for (int i = 0; i < options.Adapters.Count; i++)
        {
            string copy = Path.Combine(_temp, "adapters", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(copy);
            foreach (var file in Directory.GetFiles(options.Adapters[i].Directory))
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            adapters.Add(options.Adapters[i] with { Directory = copy });
        }
        Assert.True(GgufTensorTypes.TryParse(type, out var ggufType));
        options = options with
        {
            Adapters = adapters,
            Formats = withSafetensors ? OutputFormats.Safetensors | OutputFormats.Gguf : OutputFormats.Gguf,
            GgufType = ggufType,
        };
        MergeEngine.Merge(options);

        string report = $"{name}.gguf_{type}{(withSafetensors ? "" : "_only")}";
        string expectedPath = Path.Combine(GgufFixtures.Dir, "provenance", report + ".lora-merge.json");
        string actual = File.ReadAllText(Path.Combine(options.OutputDirectory, "lora-merge.json")).ReplaceLineEndings("\n")
            .Replace($"\"version\": \"{ToolVersion.Value}\"", "\"version\": \"<tool version>\"", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("LORAMERGE_WRITE_EXPECTED_REPORTS") == "1")
            File.WriteAllText(expectedPath, actual);
        Assert.True(File.Exists(expectedPath), $"no expectation {expectedPath}");
        Assert.Equal(File.ReadAllText(expectedPath).ReplaceLineEndings("\n"), actual);
    }
}
