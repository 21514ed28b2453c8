using LoraMerge.Merging;

namespace LoraMerge.Cli.Progress;

/// <summary>One line on a terminal, redrawn in place with a carriage return (at most ten times a second).</summary>
internal sealed class TerminalProgressBar(TextWriter writer, int width) : IMergeProgressView
{
    private const int BarCells = 24;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private TimeSpan? _lastDrawn;
    private int _drawnLength;
    private bool _completed;

    public void Report(MergeProgress value)
    {
        lock (_lock)
        {
            if (_completed) return;
            bool finished = value.TensorsDone >= value.TensorsTotal;
            if (!finished && _lastDrawn is { } last && value.Elapsed - last < RedrawInterval) return;
            _lastDrawn = value.Elapsed;
            Draw(value);
        }
    }

    public void Complete()
    {
        lock (_lock)
        {
            if (_completed) return;
            _completed = true;
            if (_drawnLength > 0) writer.WriteLine();
            writer.Flush();
        }
    }

    public void WriteLine(string line)
    {
        lock (_lock)
        {
            if (_drawnLength > 0 && !_completed)
            {
                // Clear the bar, print the message, and let the next report redraw the bar below it.
                writer.Write("\r" + new string(' ', _drawnLength) + "\r");
                _drawnLength = 0;
                _lastDrawn = null;
            }
            writer.WriteLine(line);
            writer.Flush();
        }
    }

    private void Draw(MergeProgress value)
    {
        int filled = (int)Math.Round(ProgressText.Fraction(value) * BarCells);
        var line = "[" + new string('#', filled) + new string('.', BarCells - filled) + "] " + ProgressText.Format(value);
        int max = Math.Max(20, width - 1);
        if (line.Length > max) line = line[..max];
        // Pad with spaces so a shorter line fully covers the previous one.
        writer.Write("\r" + line.PadRight(_drawnLength));
        writer.Flush();
        _drawnLength = line.Length;
    }
}
