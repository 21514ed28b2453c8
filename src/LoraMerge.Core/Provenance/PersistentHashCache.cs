using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using LoraMerge.FileSystem;

namespace LoraMerge.Provenance;

/// <summary>
/// One small file per hashed file under ~/.cache/loramerge/sha256 (or $LORAMERGE_CACHE_DIR), and beside it the hash's
/// saved states every 16 MiB, from which the hash of a merged file that starts with the same bytes can resume.
/// </summary>
internal static class PersistentHashCache
{
    /// <summary>Files smaller than this are hashed again rather than cached.</summary>
    public const long CachedFromBytes = 64L << 20;
    private const string CheckpointsSuffix = ".checkpoints";
    private static readonly string? Root = ResolveRoot();

    public static bool TryGet(FileInfo file, [NotNullWhen(true)] out string? hash)
    {
        hash = null;
        if (Root is null)
            return false;
        try
        {
            string entry = Path.Combine(Root, Key(file));
            if (!File.Exists(entry))
                return false;
            var text = File.ReadAllText(entry).Trim();
            hash = text.Length == 64 ? text : null;
            return hash is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The checkpoints kept with a file's hash (<c>offset state</c> lines beside the entry); null if none.</summary>
    public static IReadOnlyList<Sha256Checkpoint>? TryGetCheckpoints(FileInfo file)
    {
        if (Root is null)
            return null;
        try
        {
            string entry = Path.Combine(Root, Key(file) + CheckpointsSuffix);
            if (!File.Exists(entry))
                return null;
            var checkpoints = new List<Sha256Checkpoint>();
            foreach (var line in File.ReadLines(entry))
            {
                if (!Sha256Checkpoint.TryParseLine(line, out var checkpoint))
                    return null;
                checkpoints.Add(checkpoint);
            }
            return checkpoints;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static void Store(FileInfo file, string hash, IReadOnlyList<Sha256Checkpoint> checkpoints)
    {
        if (Root is null || file.Length < CachedFromBytes)
            return;
        try
        {
            Directory.CreateDirectory(Root);
            string entry = Path.Combine(Root, Key(file));
            if (checkpoints.Count > 0)
                WriteAtomically(entry + CheckpointsSuffix,
                    string.Concat(checkpoints.Select(c => c.ToLine() + "\n")));
            WriteAtomically(entry, hash);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache is an optimisation only.
        }
    }

    private static void WriteAtomically(string path, string text)
    {
        string temp = path + "." + Guid.NewGuid().ToString("N");
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    private static string Key(FileInfo file)
    {
        file.Refresh();
        // As git's index: path, size and mtime, and where the OS tells them, device, inode and ctime, so a file changed
        // in place with its mtime set back, or replaced by another with the same size and mtime, is hashed again.
        string where = FileIdentity.Of(file.FullName) is { } id ? $"\n{id.Device}:{id.Inode}:{id.ChangeTime}" : "";
        string identity = string.Create(CultureInfo.InvariantCulture, $"{file.FullName}\n{file.Length}\n{file.LastWriteTimeUtc.Ticks}{where}");
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(identity)));
    }

    private static string? ResolveRoot()
    {
        string? configured = Environment.GetEnvironmentVariable("LORAMERGE_CACHE_DIR");
        if (configured == "off")
            return null;
        if (!string.IsNullOrEmpty(configured))
            return Path.Combine(configured, "sha256");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string baseDir = !string.IsNullOrEmpty(xdg) ? xdg : string.IsNullOrEmpty(home) ? "" : Path.Combine(home, ".cache");
        return baseDir.Length == 0 ? null : Path.Combine(baseDir, "loramerge", "sha256");
    }
}
