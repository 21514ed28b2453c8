using System.Runtime.InteropServices;

namespace LoraMerge.Tasks.Tool;

/// <summary>
/// Asks a child to stop as Ctrl+C would: SIGTERM, which <c>lora-merge</c> turns into a clean cancellation (temp folder
/// removed). Windows has no such signal for a process without its own console; there the child is killed and the task
/// removes what it left.
/// </summary>
internal static partial class ChildSignals
{
    private const int SIGTERM = 15;

    public static bool TryTerminate(int processId)
    {
        if (OperatingSystem.IsWindows()) return false;
        try
        {
            return Kill(processId, SIGTERM) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
