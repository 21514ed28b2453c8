using System.Diagnostics;
using LoraMerge.Merging;

namespace LoraMerge.Bench;

/// <summary>Runs one merge in process and reports wall time and peak anonymous (non-file-backed) memory.</summary>
internal static class MeasuredMerge
{
    public static int Run(BenchArgs args)
    {
        long peakAnon = 0;
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakAnon = Math.Max(peakAnon, RssAnonBytes());
                Thread.Sleep(2);
            }
        }) { IsBackground = true };
        long before = RssAnonBytes();
        sampler.Start();
        var clock = Stopwatch.StartNew();
        var result = MergeEngine.Merge(new MergeOptions
        {
            BaseModelDirectory = args.Get("base"),
            Adapters = [new AdapterInput(args.Get("adapter"))],
            OutputDirectory = args.Get("out"),
            Threads = args.Int("threads", 0),
        });
        clock.Stop();
        stop.Cancel();
        sampler.Join();
        Console.WriteLine($"merge_seconds={clock.Elapsed.TotalSeconds:F3} bytes={result.BytesWritten} " +
                          $"peak_anon_mb={peakAnon / 1e6:F1} anon_before_mb={before / 1e6:F1}");
        return 0;
    }

    private static long RssAnonBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }
}
