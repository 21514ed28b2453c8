using System.Runtime.InteropServices;

namespace LoraMerge.Tasks.Tool;

/// <summary>
/// Asks a child to stop as Ctrl+C would: SIGTERM, which <c>lora-merge</c> turns into a clean cancellation (temp folder
/// removed). Windows has no such signal for a process without its own console; there the child is killed and the task
/// removes what it left.
/// </summary>
internal static class ChildSignals
{
    private const int SIGTERM = 15;

    public static bool TryTerminate(int processId)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return false;
        try
        {
            return Kill(processId, SIGTERM) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
