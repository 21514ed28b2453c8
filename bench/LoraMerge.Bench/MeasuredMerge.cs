using System.Diagnostics;
using LoraMerge.Merging;

namespace LoraMerge.Bench;

/// <summary>
/// Times merges in one process against <c>cat base &gt; copy</c>, rounds interleaved: a first merge (which also pays
/// for JIT compilation), then ROUNDS rounds of a copy, a merge as shipped (durable: its files flushed to the disk before
/// they are published) and a merge with write-back left to the OS (<c>Durable = false</c>, what <c>cat</c> and the
/// PyTorch script do). Reports the first merge, the medians of the rounds, and the peak anonymous (non-file-backed)
/// memory of the process over all merges. The last merge's output is kept. Each merge starts after a <c>sync</c>
/// (<see cref="TimedMerge"/>); <c>cat</c> is timed as before, into the page cache (the copy's pages are dropped with the
/// deleted file).
/// </summary>
internal static class MeasuredMerge
{
    public static int Run(BenchArgs args)
    {
        string baseDir = args.Get("base"), output = args.Get("out");
        string baseFile = Path.Combine(baseDir, "model.safetensors");
        string copy = args.String("copy", Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, "copy.safetensors"));
        int rounds = args.Int("rounds", 3);
        var options = new MergeOptions
        {
            BaseModelDirectory = baseDir,
            Adapters = [new AdapterInput(args.Get("adapter"))],
            OutputDirectory = output,
            Threads = args.Int("threads", 0),
        };

        using var memory = new PeakAnonMemory();
        double first = TimedMerge.Seconds(options);
        var copies = new List<double>();
        var merges = new List<double>();
        var withoutFsync = new List<double>();
        for (int i = 0; i < rounds; i++)
        {
            copies.Add(TimeCopy(baseFile, copy));
            withoutFsync.Add(TimedMerge.Seconds(options with { Durable = false }));
            merges.Add(TimedMerge.Seconds(options));
        }
        Console.WriteLine($"cat_seconds={Statistics.Median(copies):F3} merge_seconds={Statistics.Median(merges):F3} " +
                          $"merge_nofsync_seconds={Statistics.Median(withoutFsync):F3} first_merge_seconds={first:F3} " +
                          $"peak_anon_mb={memory.Stop() / 1e6:F1} rounds={rounds}");
        return 0;
    }

    // Through /bin/sh like the shell command, timed from process start to exit.
    private static double TimeCopy(string source, string destination)
    {
        File.Delete(destination);
        var clock = Stopwatch.StartNew();
        using (var cat = Process.Start("/bin/sh", ["-c", $"cat '{source}' > '{destination}'"]))
            cat.WaitForExit();
        double seconds = clock.Elapsed.TotalSeconds;
        File.Delete(destination);
        return seconds;
    }
}
