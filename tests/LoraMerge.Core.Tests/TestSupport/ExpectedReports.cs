using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.TestSupport;

/// <summary>
/// Merges of committed cases whose <c>lora-merge.json</c> is pinned under tests/fixtures/provenance/. Each case is
/// copied into a temp folder (base, adapters, output side by side) so the report's relative paths do not depend on
/// where the tests run.
/// </summary>
internal static class ExpectedReports
{
    private const string VersionPlaceholder = "<tool version>";

    public static readonly string[] Names =
    [
        "two_adapters_weighted_bf16",
        "sharded_bf16",
        "sharded_bf16.resharded_peft_rounding",
        "linear_f16",
    ];

    public static MergeOptions Options(string report, string temp)
    {
        string caseName = report.Split('.')[0];
        var @case = Merging.MergeCase.Load(caseName);
        string copy = Path.Combine(temp, "case");
        CopyDirectory(@case.Folder, copy);
        var options = new MergeOptions
        {
            BaseModelDirectory = Path.Combine(copy, "base"),
            Adapters = @case.Adapters.Select(a => a with { Directory = Path.Combine(copy, Path.GetRelativePath(@case.Folder, a.Directory)) }).ToArray(),
            OutputDirectory = Path.Combine(temp, "out"),
            SafeMerge = @case.SafeMerge,
        };
        return report.EndsWith(".resharded_peft_rounding", StringComparison.Ordinal)
            ? options with { MaxShardSize = 6000, Rounding = MergeRounding.Peft }
            : options;
    }

    public static void AssertMatches(string report, string actualPath, string toolVersion)
    {
        string expectedPath = Fixtures.Path("provenance", report + ".lora-merge.json");
        string actual = File.ReadAllText(actualPath).ReplaceLineEndings("\n")
            .Replace($"\"version\": \"{toolVersion}\"", $"\"version\": \"{VersionPlaceholder}\"", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("LORAMERGE_WRITE_EXPECTED_REPORTS") == "1")
            File.WriteAllText(expectedPath, actual);
        Assert.True(File.Exists(expectedPath), $"no expectation {expectedPath}");
        Assert.Equal(File.ReadAllText(expectedPath).ReplaceLineEndings("\n"), actual);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from))
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
