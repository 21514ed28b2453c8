using System.Diagnostics;
using System.Globalization;
using LoraMerge.Merging;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace LoraMerge.Tasks.Merging;

/// <summary>
/// Turns the engine's per-tensor progress into build messages: at most one per interval, plus the last one. Reports
/// may come from worker threads, hence the lock.
/// </summary>
internal sealed class MergeProgressLogger : IProgress<MergeProgress>
{
    private readonly TaskLoggingHelper _log;
    private readonly string _model;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _sinceLast = Stopwatch.StartNew();
    private readonly Lock _gate = new();

    public MergeProgressLogger(TaskLoggingHelper log, string model, TimeSpan interval)
    {
        _log = log;
        _model = model;
        _interval = interval;
    }

    public void Report(MergeProgress value)
    {
        lock (_gate)
        {
            var last = value.TensorsDone >= value.TensorsTotal;
            if (!last && _sinceLast.Elapsed < _interval) return;
            _sinceLast.Restart();
            _log.LogMessage(MessageImportance.High, Format(_model, value));
        }
    }

    public static string Format(string model, MergeProgress value) => string.Create(CultureInfo.InvariantCulture,
        $"LoraMerge: {model}: {value.TensorsDone}/{value.TensorsTotal} tensors, {value.BytesDone / 1e6:F1}/{value.BytesTotal / 1e6:F1} MB, {value.MegabytesPerSecond:F1} MB/s");
}
