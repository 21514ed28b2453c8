using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace LoraMerge.Merging;

/// <summary>sha256 of files, each computed at most once per merge; hashing may run in the background while the merge computes.</summary>
internal sealed class FileHashes
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _hashes = new(StringComparer.Ordinal);

    /// <summary>Starts hashing a file on the thread pool (or returns the running/finished hash).</summary>
    public Task<string> Start(string path) =>
        _hashes.GetOrAdd(Path.GetFullPath(path), p => new Lazy<Task<string>>(() => Task.Run(() => Compute(p)))).Value;

    public string Get(string path) => Start(path).GetAwaiter().GetResult();

    private static string Compute(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
