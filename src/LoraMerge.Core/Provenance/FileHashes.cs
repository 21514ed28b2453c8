using System.Collections.Concurrent;

namespace LoraMerge.Provenance;

/// <summary>
/// sha256 of files, each computed at most once per merge, possibly in the background while the merge computes.
/// Hashes of large files are also kept in a per-user cache keyed by full path, size, last-write time and, where the OS
/// tells them, device, inode and ctime (as git's index), so re-merging onto an unchanged multi-gigabyte base does not
/// hash it again.
/// </summary>
internal sealed class FileHashes
{
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
    public void Remember(string finalPath, string sha256) => PersistentHashCache.Store(new FileInfo(finalPath), sha256, []);

    /// <summary>
    /// The latest saved state of <paramref name="path"/>'s hash at or before byte <paramref name="offset"/>, from this
    /// merge or the per-user cache; null when none is known (or this platform cannot resume hashes).
    /// </summary>
    public Sha256Checkpoint? CheckpointAtOrBefore(string path, long offset)
    {
        string full = Path.GetFullPath(path);
        var checkpoints = _checkpoints.TryGetValue(full, out var known) ? known : PersistentHashCache.TryGetCheckpoints(new FileInfo(full));
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
        bool cacheable = useCache && info.Length >= PersistentHashCache.CachedFromBytes;
        if (cacheable && PersistentHashCache.TryGet(info, out string? cached))
        {
            // An entry from before checkpoints were kept is hashed again once, to get them.
            var saved = PersistentHashCache.TryGetCheckpoints(info);
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
            PersistentHashCache.Store(info, hash, checkpoints);
        }
        return hash;
    }
}
