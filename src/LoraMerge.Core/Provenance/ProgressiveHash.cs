using Microsoft.Win32.SafeHandles;

namespace LoraMerge.Provenance;

/// <summary>
/// sha256 of a file that is still being written front to back: a background task hashes each range as soon as the
/// writer says it is complete, so hashing the output overlaps the merge instead of following it. Given a checkpoint of
/// a file with the same first bytes (the base shard a merged shard mirrors), it starts there.
/// </summary>
internal sealed class ProgressiveHash : IDisposable
{
    private const int ChunkBytes = 4 << 20;
    private readonly SafeFileHandle _handle;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _abandon = new();
    private readonly Task<string> _hash;
    private readonly Sha256Checkpoint? _start;
    private long _available;
    private long _total = -1;

    /// <param name="start">The hash state of the file's first bytes, known from elsewhere; null to hash from byte 0.</param>
    public ProgressiveHash(string path, Sha256Checkpoint? start = null)
    {
        _start = start;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _hash = Task.Run(HashAsync);
    }

    /// <summary>Bytes [0, <paramref name="length"/>) are final.</summary>
    public void Advance(long length)
    {
        Interlocked.Exchange(ref _available, Math.Max(Interlocked.Read(ref _available), length));
        _signal.Release();
    }

    /// <summary>The file is complete at <paramref name="length"/> bytes; returns its hash (hex).</summary>
    public Task<string> Complete(long length)
    {
        Interlocked.Exchange(ref _total, length);
        Advance(length);
        return _hash;
    }

    /// <summary>Abandons the hash unless <see cref="Complete"/> was called (a failed or cancelled shard).</summary>
    public void Dispose()
    {
        if (Interlocked.Read(ref _total) >= 0)
            return;
        _abandon.Cancel();
        _hash.ContinueWith(_ => _handle.Dispose(), TaskScheduler.Default);
    }

    private async Task<string> HashAsync()
    {
        using var sha = (_start is { } start ? Sha256Stream.Resume(start) : null) ?? Sha256Stream.Start();
        var buffer = new byte[ChunkBytes];
        long hashed = sha.Length;
        while (true)
        {
            await _signal.WaitAsync(_abandon.Token).ConfigureAwait(false);
            long available = Interlocked.Read(ref _available);
            while (hashed < available)
            {
                _abandon.Token.ThrowIfCancellationRequested();
                int n = RandomAccess.Read(_handle, buffer.AsSpan(0, (int)Math.Min(ChunkBytes, available - hashed)), hashed);
                if (n <= 0)
                    throw new IOException("The output file is shorter than what was written to it.");
                sha.Append(buffer.AsSpan(0, n));
                hashed += n;
            }
            long total = Interlocked.Read(ref _total);
            if (total >= 0 && hashed >= total)
            {
                _handle.Dispose();
                return sha.Finish();
            }
        }
    }
}
