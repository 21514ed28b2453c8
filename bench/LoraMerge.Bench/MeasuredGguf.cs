using LoraMerge.Gguf;
using LoraMerge.Merging;

namespace LoraMerge.Bench;

/// <summary>
/// Times, in one process with rounds interleaved, the safetensors merge and GGUF-only merges (f16, bf16, q8_0) of the
/// same inputs, after one warm-up of each, each merge started after a <c>sync</c>. Reports medians, each GGUF's ratio to
/// the safetensors merge of the same rounds, and the peak anonymous memory of the process.
/// </summary>
internal static class MeasuredGguf
{
    public static int Run(BenchArgs args)
    {
        string output = args.Get("out");
        int rounds = args.Int("rounds", 3);
        var safetensors = new MergeOptions
        {
            BaseModelDirectory = args.Get("base"),
            Adapters = [new AdapterInput(args.Get("adapter"))],
            OutputDirectory = output,
            Threads = args.Int("threads", 0),
        };
        var variants = new (string Name, MergeOptions Options)[]
        {
            ("safetensors", safetensors),
            ("gguf_f16", safetensors with { Formats = OutputFormats.Gguf, GgufType = GgufTensorType.F16 }),
            ("gguf_bf16", safetensors with { Formats = OutputFormats.Gguf, GgufType = GgufTensorType.BF16 }),
            ("gguf_q8_0", safetensors with { Formats = OutputFormats.Gguf, GgufType = GgufTensorType.Q8_0 }),
        };
        using var memory = new PeakAnonMemory();
        foreach (var v in variants)
            TimedMerge.Seconds(v.Options);
        var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
        for (int r = 0; r < rounds; r++)
            foreach (var v in variants)
                times[v.Name].Add(TimedMerge.Seconds(v.Options));
        double baseline = Statistics.Median(times["safetensors"]);
        Console.WriteLine(string.Join(' ', variants.Select(v => $"{v.Name}_seconds={Statistics.Median(times[v.Name]):F3}"))
            + " " + string.Join(' ', variants.Skip(1).Select(v => $"{v.Name}_ratio={Statistics.Median(times[v.Name]) / baseline:F2}"))
            + $" peak_anon_mb={memory.Stop() / 1e6:F1} rounds={rounds}");
        return 0;
    }
}
