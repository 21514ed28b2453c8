using System.Globalization;
using LoraMerge.Merging;

namespace LoraMerge.Cli.Progress;

/// <summary>The text of one progress report: percent, tensors, megabytes, throughput and time left.</summary>
internal static class ProgressText
{
    public static double Fraction(MergeProgress p) =>
        p.BytesTotal > 0 ? Math.Clamp((double)p.BytesDone / p.BytesTotal, 0, 1)
        : p.TensorsTotal > 0 ? Math.Clamp((double)p.TensorsDone / p.TensorsTotal, 0, 1)
        : 1;

    public static string Format(MergeProgress p)
    {
        var c = CultureInfo.InvariantCulture;
        int percent = (int)Math.Floor(Fraction(p) * 100);
        return string.Create(c,
            $"{percent,3}% {p.TensorsDone}/{p.TensorsTotal} tensors {p.BytesDone / 1e6:0.0}/{p.BytesTotal / 1e6:0.0} MB {p.MegabytesPerSecond:0.0} MB/s ETA {FormatEta(p)}");
    }

    /// <summary>Time left at the average rate so far; "--:--" before any bytes were written.</summary>
    public static string FormatEta(MergeProgress p)
    {
        if (p.BytesDone >= p.BytesTotal && p.TensorsDone >= p.TensorsTotal) return "0:00";
        if (p.BytesDone <= 0 || p.Elapsed <= TimeSpan.Zero) return "--:--";
        double seconds = (p.BytesTotal - p.BytesDone) * p.Elapsed.TotalSeconds / p.BytesDone;
        return FormatDuration(TimeSpan.FromSeconds(Math.Ceiling(seconds)));
    }

    public static string FormatDuration(TimeSpan t) =>
        t.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:00}");
}
