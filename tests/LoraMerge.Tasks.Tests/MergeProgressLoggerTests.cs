using LoraMerge.Merging;
using LoraMerge.Tasks.Merging;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace LoraMerge.Tasks.Tests;

public sealed class MergeProgressLoggerTests
{
    private sealed class LoggingTask : Microsoft.Build.Utilities.Task
    {
        public override bool Execute() => true;
    }

    [Fact]
    public void Reports_the_final_progress_even_within_the_interval_and_skips_the_rest()
    {
        var engine = new FakeBuildEngine("App.csproj");
        var log = new TaskLoggingHelper(new LoggingTask { BuildEngine = engine });
        var progress = new MergeProgressLogger(log, "Math", TimeSpan.FromHours(1));

        progress.Report(new MergeProgress(1, 3, 1_000_000, 3_000_000, TimeSpan.FromSeconds(1), "a"));
        progress.Report(new MergeProgress(2, 3, 2_000_000, 3_000_000, TimeSpan.FromSeconds(2), "b"));
        progress.Report(new MergeProgress(3, 3, 3_000_000, 3_000_000, TimeSpan.FromSeconds(2), null));

        var message = Assert.Single(engine.Messages);
        Assert.Equal(MessageImportance.High, message.Importance);
        Assert.Equal("LoraMerge: Math: 3/3 tensors, 3.0/3.0 MB, 1.5 MB/s", message.Message);
    }
}
