using LoraMerge.Diagnostics;

namespace LoraMerge.Merging;

/// <summary>Refuses to start a merge that cannot fit on the output volume.</summary>
internal static class FreeSpaceCheck
{
    private const long Margin = 16L << 20;

    public static void Ensure(string outputDirectory, long bytesNeeded)
    {
        string? existing = Path.GetFullPath(outputDirectory);
        while (existing is not null && !Directory.Exists(existing))
            existing = Path.GetDirectoryName(existing);
        if (existing is null)
            return;
        long available;
        try
        {
            available = new DriveInfo(existing).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return; // Unknown free space: the write itself reports a full disk.
        }
        if (available < bytesNeeded + Margin)
            throw new LoraException(ErrorCodes.InsufficientSpace,
                $"The merged model needs {Bytes(bytesNeeded)} but only {Bytes(available)} is free on the output volume.", outputDirectory);
    }

    private static string Bytes(long n) => n >= 1L << 30 ? $"{n / (double)(1L << 30):F2} GiB" : $"{n / (double)(1L << 20):F1} MiB";
}
