using LoraMerge.Diagnostics;

namespace LoraMerge.Merging;

/// <summary>Turns I/O failures while writing the output into coded errors (disk full is told apart).</summary>
internal static class OutputErrors
{
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;
    private const int ERROR_DISK_FULL = 112;
    private const int ERROR_HANDLE_DISK_FULL = 39;

    public static LoraException From(Exception e, string path)
    {
        if (e is LoraException le)
            return le;
        if (IsDiskFull(e))
            return new LoraException(ErrorCodes.DiskFull, $"The disk is full while writing the merged model: {e.Message}", path, e);
        return new LoraException(ErrorCodes.OutputNotWritable, $"Cannot write the merged model: {e.Message}", path, e);
    }

    private static bool IsDiskFull(Exception e)
    {
        int code = e.HResult & 0xFFFF;
        return e is IOException && (code is ENOSPC or EDQUOT or ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL
            || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase));
    }
}
