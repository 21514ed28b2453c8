using System.Diagnostics;
using LoraMerge.Merging;

namespace LoraMerge.Bench;

/// <summary>
/// Times merges in one process against <c>cat base &gt; copy</c>, rounds interleaved: a first merge (which also pays
/// for JIT compilation), then ROUNDS pairs of a copy and a merge. Reports the first merge, the medians of the rounds,
/// and the peak anonymous (non-file-backed) memory of the process over all merges. The last merge's output is kept.
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
        double first = TimeMerge(options);
        var copies = new List<double>();
        var merges = new List<double>();
        for (int i = 0; i < rounds; i++)
        {
            copies.Add(TimeCopy(baseFile, copy));
            merges.Add(TimeMerge(options));
        }
        Console.WriteLine($"cat_seconds={Statistics.Median(copies):F3} merge_seconds={Statistics.Median(merges):F3} first_merge_seconds={first:F3} " +
                          $"peak_anon_mb={memory.Stop() / 1e6:F1} rounds={rounds}");
        return 0;
    }

    private static double TimeMerge(MergeOptions options)
    {
        if (Directory.Exists(options.OutputDirectory))
            Directory.Delete(options.OutputDirectory, recursive: true);
        var clock = Stopwatch.StartNew();
        MergeEngine.Merge(options);
        return clock.Elapsed.TotalSeconds;
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


    /// <summary>Samples RssAnon of this process every 2 ms until stopped.</summary>
}
