using System.Diagnostics;
using System.Text.Json;
using LoraMerge.Formats;
using LoraMerge.Runtime;

namespace LoraMerge.Bench;

/// <summary>
/// Times what a generated model class's <c>Load()</c> does on a merged folder: <see cref="ModelWeights.Open"/> with the
/// compiled-in description (every tensor's name, dtype, shape, file and the fingerprint), page cache warm.
/// </summary>
internal static class MeasuredLoad
{
    public static int Run(BenchArgs args)
    {
        string dir = args.Get("model");
        int rounds = args.Int("rounds", 20);
        var description = Describe(dir);
        using (ModelWeights.Open(description, dir)) { } // warm-up: JIT and page cache for the headers

        var times = new List<double>();
        long touched = 0;
        for (int i = 0; i < rounds; i++)
        {
            var clock = Stopwatch.StartNew();
            using var weights = ModelWeights.Open(description, dir);
            clock.Stop();
            times.Add(clock.Elapsed.TotalMilliseconds);
            touched += weights.Tensors.Count;
        }
        times.Sort();
        long bytes = description.Tensors.Sum(t => DTypes.ByteLengthOf(t.DType, t.Shape.Aggregate(1L, (a, b) => a * b)) ?? 0);
        Console.WriteLine($"load_ms_median={times[times.Count / 2]:F2} load_ms_max={times[^1]:F2} tensors={description.Tensors.Count} bytes={bytes} rounds={rounds}");
        return 0;
    }

    private static ModelDescription Describe(string dir)
    {
        var checkpoint = ShardedCheckpoint.Open(dir);
        var tensors = checkpoint.AllTensors
            .Select(x => new TensorDescription(x.Tensor.Name, x.Tensor.DType, x.Tensor.Shape, Path.GetFileName(x.Shard.FilePath)))
            .ToArray();
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, ModelDescription.MetadataFileName)));
        string fingerprint = report.RootElement.GetProperty("fingerprint").GetString()!;
        return new ModelDescription("Bench", dir, embedded: false, fingerprint, tensors);
    }
}
