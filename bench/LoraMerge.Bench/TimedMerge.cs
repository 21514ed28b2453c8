using System.Diagnostics;
using LoraMerge.Merging;

namespace LoraMerge.Bench;

/// <summary>One merge, timed: into an empty output folder, after a <c>sync</c>.</summary>
internal static class TimedMerge
{
    /// <summary>
    /// Seconds of <see cref="MergeEngine.Merge"/>. The step before is flushed first (<c>sync</c>, untimed): otherwise the
    /// previous merge's output is written back while this one runs, and each merge pays for the one before it.
    /// </summary>
    public static double Seconds(MergeOptions options)
    {
        if (Directory.Exists(options.OutputDirectory))
            Directory.Delete(options.OutputDirectory, recursive: true);
        using (var sync = Process.Start("sync"))
            sync.WaitForExit();
        var clock = Stopwatch.StartNew();
        MergeEngine.Merge(options);
        return clock.Elapsed.TotalSeconds;
    }
}
