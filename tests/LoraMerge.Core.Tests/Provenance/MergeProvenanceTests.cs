using System.Text.Json;
using LoraMerge.Core.Tests.Merging;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Merging;
using LoraMerge.Provenance;

namespace LoraMerge.Core.Tests.Provenance;

/// <summary>The fingerprint the planner computes with a merge's provenance is the one its report records.</summary>
public sealed class MergeProvenanceTests
{
    [Fact]
    public void ThePlansFingerprintIsTheReportsAndDoesNotDependOnWhichProvenanceComputedIt()
    {
        var @case = MergeCase.Load("sharded_bf16");
        using var temp = new TempDirectory();
        var options = @case.Options(temp.File("out"));
        var first = MergePlanner.Create(options, null, new MergeProvenance());
        var second = MergeEngine.Plan(options);
        Assert.Equal(first.Fingerprint, second.Fingerprint);

        var result = MergeEngine.Merge(options);
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(result.OutputDirectory, MergeReport.FileName)));
        Assert.Equal(first.Fingerprint, report.RootElement.GetProperty("fingerprint").GetString());
    }
}
