using LoraMerge.Cli.Progress;
using LoraMerge.Merging;

namespace LoraMerge.Cli.Tests;

public sealed class BuildProgressLogTests
{
    [Fact]
    public void Reports_the_final_progress_even_within_the_interval_and_skips_the_rest()
    {
        var writer = new StringWriter();
        var progress = new BuildProgressLog(writer, "Math", TimeSpan.FromHours(1));

        progress.Report(new MergeProgress(1, 3, 1_000_000, 3_000_000, TimeSpan.FromSeconds(1), "a"));
        progress.Report(new MergeProgress(2, 3, 2_000_000, 3_000_000, TimeSpan.FromSeconds(2), "b"));
        progress.Report(new MergeProgress(3, 3, 3_000_000, 3_000_000, TimeSpan.FromSeconds(2), null));

        Assert.Equal("LoraMerge: Math: 3/3 tensors, 3.0/3.0 MB, 1.5 MB/s", writer.ToString().Trim());
    }
}
