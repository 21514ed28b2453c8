using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Merging;
using LoraMerge.Provenance;

namespace LoraMerge.Core.Tests.Provenance;

/// <summary>
/// <c>lora-merge.json</c> of committed merge cases equals the committed expectation under tests/fixtures/provenance/
/// byte for byte (the tool's version aside): its records are a contract with the loader and with earlier folders.
/// Set LORAMERGE_WRITE_EXPECTED_REPORTS=1 to write the expectations instead (then review the diff).
/// </summary>
public sealed class MergeReportRecordsTests
{
    public static TheoryData<string> Reports() => new(ExpectedReports.Names);

    [Theory]
    [MemberData(nameof(Reports))]
    public void ReportIsByteIdenticalToTheCommittedOne(string report)
    {
        using var temp = new TempDirectory();
        var options = ExpectedReports.Options(report, temp.Path);
        MergeEngine.Merge(options);
        ExpectedReports.AssertMatches(report, Path.Combine(options.OutputDirectory, MergeReport.FileName), ToolVersion.Value);
    }
}
