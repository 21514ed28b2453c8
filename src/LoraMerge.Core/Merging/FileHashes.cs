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
    private const int CheckpointBytes = 16 << 20;
    private const int ReadBytes = 1 << 20;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _hashes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<Sha256Checkpoint>> _checkpoints = new(StringComparer.Ordinal);

    /// <summary>Starts hashing a file on the thread pool (or returns the running/finished hash).</summary>
    /// <param name="useCache">False for files that are about to move (outputs in the temp folder).</param>
    public Task<string> Start(string path, bool useCache = true) =>
        _hashes.GetOrAdd(Path.GetFullPath(path), p => new Lazy<Task<string>>(() => Task.Run(() => Compute(p, useCache)))).Value;

    public string Get(string path) => Start(path).GetAwaiter().GetResult();

    /// <summary>Supplies a hash computed elsewhere (an output hashed while written, or a copy of a hashed input).</summary>
    public void Provide(string path, Task<string> hash) =>
        _hashes[Path.GetFullPath(path)] = new Lazy<Task<string>>(() => hash);

    /// <summary>Records a freshly written output's hash so a later merge using it as input need not hash it again.</summary>
    public void Remember(string finalPath, string sha256) => PersistentCache.Store(new FileInfo(finalPath), sha256, []);

    /// <summary>
    /// The latest saved state of <paramref name="path"/>'s hash at or before byte <paramref name="offset"/>, from this
    /// merge or the per-user cache; null when none is known (or this platform cannot resume hashes).
    /// </summary>
    public Sha256Checkpoint? CheckpointAtOrBefore(string path, long offset)
    {
        string full = Path.GetFullPath(path);
        var checkpoints = _checkpoints.TryGetValue(full, out var known) ? known : PersistentCache.TryGetCheckpoints(new FileInfo(full));
        Sha256Checkpoint? best = null;
        foreach (var checkpoint in checkpoints ?? [])
            if (checkpoint.Offset <= offset && (best is null || checkpoint.Offset > best.Value.Offset))
                best = checkpoint;
        return best;
    }

    /// <param name="path">A full path (the key of <see cref="_hashes"/>).</param>
    private string Compute(string path, bool useCache)
    {
        var info = new FileInfo(path);
        bool cacheable = useCache && info.Length >= CachedFromBytes;
        if (cacheable && PersistentCache.TryGet(info, out string? cached))
        {
            // An entry from before checkpoints were kept is hashed again once, to get them.
            var saved = PersistentCache.TryGetCheckpoints(info);
            if (saved is not null)
                _checkpoints[path] = saved;
            if (saved is not null || !Sha256Stream.CanResume)
                return cached;
        }

        var checkpoints = new List<Sha256Checkpoint>();
        using var sha = Sha256Stream.Start();
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan))
        {
            var buffer = new byte[ReadBytes];
            int n;
            while ((n = RandomAccess.Read(handle, buffer, sha.Length)) > 0)
            {
                sha.Append(buffer.AsSpan(0, n));
                if (cacheable && sha.Length % CheckpointBytes == 0 && sha.Checkpoint() is { } checkpoint)
                    checkpoints.Add(checkpoint);
            }
        }
        string hash = sha.Finish();
        if (cacheable)
        {
            _checkpoints[path] = checkpoints;
            PersistentCache.Store(info, hash, checkpoints);
        }
        return hash;
    }

    /// <summary>
    /// One small file per hashed file under ~/.cache/loramerge/sha256 (or $LORAMERGE_CACHE_DIR), and beside it the hash's
    /// saved states every 16 MiB, from which the hash of a merged file that starts with the same bytes can resume.
    /// </summary>
    private static class PersistentCache
    {
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
