using LoraMerge.Merging;

namespace LoraMerge.Cli.Progress;

/// <summary>
/// Progress for logs and CI (stderr redirected): a line at most once per second of merge time, and always a final line.
/// </summary>
internal sealed class PlainProgressLog(TextWriter writer) : IMergeProgressView
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private TimeSpan? _lastWritten;
    private MergeProgress? _latest;
    private bool _finalWritten;

    public void Report(MergeProgress value)
    {
        lock (_lock)
        {
            if (_finalWritten) return;
            _latest = value;
            bool finished = value.TensorsDone >= value.TensorsTotal;
            if (finished)
            {
                Write(value);
                _finalWritten = true;
                return;
            }
            if (_lastWritten is { } last && value.Elapsed - last < Interval) return;
            _lastWritten = value.Elapsed;
            Write(value);
        }
    }

    /// <summary>Writes the last report as the final line when the merge stopped before reporting completion.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            if (!_finalWritten && _latest is { } latest && _lastWritten != latest.Elapsed) Write(latest);
            _finalWritten = true;
            writer.Flush();
        }
    }

    public void WriteLine(string line)
    {
        lock (_lock) writer.WriteLine(line);
    }

    private void Write(MergeProgress value) => writer.WriteLine("progress: " + ProgressText.Format(value));
}
