using System.Diagnostics;
using System.Globalization;

namespace LoraMerge.FileSystem;

/// <summary>
/// A process as a name part (<c>&lt;pid&gt;-&lt;start&gt;</c>): its id and its start time, so that a temporary named by
/// a process that has died is told apart from one of a live process, even after the id was reused.
/// </summary>
internal static class ProcessStamp
{
    public static string Current { get; } = $"{Environment.ProcessId}-{StartOf(Environment.ProcessId)}";

    /// <summary>Whether the process a stamp names is still running; true when that cannot be told.</summary>
    public static bool IsAlive(string stamp)
    {
        int dash = stamp.IndexOf('-');
        if (dash <= 0 || !int.TryParse(stamp.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            return true;
        string? start = StartOf(pid);
        return start is not null && start == stamp[(dash + 1)..];
    }

    /// <summary>The start time of process <paramref name="pid"/> as a token; null when no such process runs.</summary>
    private static string? StartOf(int pid)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                // /proc/<pid>/stat: "pid (comm) state ..."; after the last ')' the fields from the third on, the 22nd
                // being the start time in clock ticks since boot.
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return fields[19];
            }
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
