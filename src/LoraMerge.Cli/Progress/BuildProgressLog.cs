using System.Diagnostics;
using System.Globalization;
using LoraMerge.Merging;

namespace LoraMerge.Cli.Progress;

/// <summary>
/// Progress of <c>merge --request</c> for the build log: one line per interval plus the last one, in the form the build
/// has always logged (<c>LoraMerge: Math: 3/10 tensors, ...</c>). Reports may come from worker threads, hence the lock.
/// </summary>
internal sealed class BuildProgressLog(TextWriter writer, string model, TimeSpan interval) : IProgress<MergeProgress>
{
    private readonly Stopwatch _sinceLast = Stopwatch.StartNew();
    private readonly Lock _gate = new();

    public void Report(MergeProgress value)
    {
        lock (_gate)
        {
            var last = value.TensorsDone >= value.TensorsTotal;
            if (!last && _sinceLast.Elapsed < interval) return;
            _sinceLast.Restart();
            writer.WriteLine(Format(model, value));
            writer.Flush();
        }
    }

    public static string Format(string model, MergeProgress value) => string.Create(CultureInfo.InvariantCulture,
        $"LoraMerge: {model}: {value.TensorsDone}/{value.TensorsTotal} tensors, {value.BytesDone / 1e6:F1}/{value.BytesTotal / 1e6:F1} MB, {value.MegabytesPerSecond:F1} MB/s");
}
