namespace LoraMerge.Bench;

/// <summary>Samples the process's anonymous (not file-backed) resident memory every 2 ms and keeps the peak.</summary>
internal sealed class PeakAnonMemory : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _sampler;
    private long _peak;

    public PeakAnonMemory()
    {
        _sampler = new Thread(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                _peak = Math.Max(_peak, RssAnonBytes());
                Thread.Sleep(2);
            }
        }) { IsBackground = true };
        _sampler.Start();
    }

    public long Stop()
    {
        _stop.Cancel();
        _sampler.Join();
        return _peak;
    }

    public void Dispose() => _stop.Cancel();

    private static long RssAnonBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }
}
