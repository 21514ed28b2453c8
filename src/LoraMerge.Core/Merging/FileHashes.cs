using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;

namespace LoraMerge.Merging;

/// <summary>
/// sha256 of files, each computed at most once per merge, possibly in the background while the merge computes.
/// Hashes of large files are also kept in a per-user cache keyed by full path, size and last-write time (the same
/// trade-off git's index makes), so re-merging onto an unchanged multi-gigabyte base does not hash it again.
/// </summary>
internal sealed class FileHashes
{
    private const long CachedFromBytes = 64L << 20;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _hashes = new(StringComparer.Ordinal);

    /// <summary>Starts hashing a file on the thread pool (or returns the running/finished hash).</summary>
    /// <param name="useCache">False for files that are about to move (outputs in the temp folder).</param>
    public Task<string> Start(string path, bool useCache = true) =>
        _hashes.GetOrAdd(Path.GetFullPath(path), p => new Lazy<Task<string>>(() => Task.Run(() => Compute(p, useCache)))).Value;

    public string Get(string path) => Start(path).GetAwaiter().GetResult();

    /// <summary>Supplies a hash computed elsewhere (an output hashed while written, or a copy of a hashed input).</summary>
    public void Provide(string path, Task<string> hash) =>
        _hashes[Path.GetFullPath(path)] = new Lazy<Task<string>>(() => hash);

    /// <summary>Records a freshly written output's hash so a later merge using it as input need not hash it again.</summary>
    public void Remember(string finalPath, string sha256) => PersistentCache.Store(new FileInfo(finalPath), sha256);

    private static string Compute(string path, bool useCache)
    {
        var info = new FileInfo(path);
        bool cacheable = useCache && info.Length >= CachedFromBytes;
        if (cacheable && PersistentCache.TryGet(info, out string? cached))
            return cached;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        string hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (cacheable)
            PersistentCache.Store(info, hash);
        return hash;
    }

    /// <summary>One small file per hashed file under ~/.cache/loramerge/sha256 (or $LORAMERGE_CACHE_DIR).</summary>
    private static class PersistentCache
    {
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

        public static void Store(FileInfo file, string hash)
        {
            if (Root is null || file.Length < CachedFromBytes)
                return;
            try
            {
                Directory.CreateDirectory(Root);
                string entry = Path.Combine(Root, Key(file));
                string temp = entry + "." + Guid.NewGuid().ToString("N");
                File.WriteAllText(temp, hash);
                File.Move(temp, entry, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The cache is an optimisation only.
            }
        }

        private static string Key(FileInfo file)
        {
            file.Refresh();
            string identity = string.Create(CultureInfo.InvariantCulture, $"{file.FullName}\n{file.Length}\n{file.LastWriteTimeUtc.Ticks}");
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
}
