using System.Security.Cryptography;
using LoraMerge.Merging;
using Microsoft.Win32.SafeHandles;

namespace LoraMerge.Formats;

/// <summary>
/// A tensor file being built: <c>&lt;path&gt;.tmp-&lt;random&gt;</c> beside the target, pre-sized, its header already
/// written; each tensor's bytes written exactly once, from any thread, at the offset the format assigned; renamed into
/// place by <see cref="Commit"/> once complete, deleted if disposed before. The one owner of that protocol for the
/// safetensors and GGUF writers, which only lay out their headers.
/// </summary>
internal sealed class TensorFileBuilder : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly (string Name, long FileOffset, long Length)[] _tensors;
    private readonly WriteCoverage[] _coverage;
    private int _state; // 0 open, 1 committed, 2 disposed

    private TensorFileBuilder(string path, string tempPath, SafeFileHandle handle, (string, long, long)[] tensors)
    {
        FilePath = path;
        TempPath = tempPath;
        _handle = handle;
        _tensors = tensors;
        _coverage = Array.ConvertAll(tensors, t => new WriteCoverage(t.Item3));
    }

    public string FilePath { get; }

    public string TempPath { get; }

    /// <param name="tensors">Each tensor's name (for messages), byte offset in the file and length.</param>
    public static TensorFileBuilder Create(string path, ReadOnlySpan<byte> header, long fileLength, (string Name, long FileOffset, long Length)[] tensors)
    {
        string fullPath = Path.GetFullPath(path);
        string tempPath = $"{fullPath}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        SafeFileHandle? handle = null;
        try
        {
            handle = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, FileOptions.None, fileLength);
            RandomAccess.SetLength(handle, fileLength);
            RandomAccess.Write(handle, header, 0);
            return new TensorFileBuilder(fullPath, tempPath, handle, tensors);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            handle?.Dispose();
            TryDelete(tempPath);
            throw OutputErrors.From(ex, tempPath);
        }
    }

    /// <summary>Where tensor <paramref name="index"/>'s bytes end in the file.</summary>
    public long EndOf(int index) => _tensors[index].FileOffset + _tensors[index].Length;

    /// <exception cref="InvalidOperationException">Some of these bytes were already written.</exception>
    public void Write(int index, long offsetInTensor, ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_state != 0, this);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _tensors.Length);
        var (name, fileOffset, length) = _tensors[index];
        ArgumentOutOfRangeException.ThrowIfNegative(offsetInTensor);
        if (offsetInTensor > length - data.Length)
            throw new ArgumentOutOfRangeException(nameof(data),
                $"Writing {data.Length} bytes at {offsetInTensor} runs past the end of tensor '{name}' ({length} bytes).");
        if (!_coverage[index].TryAdd(offsetInTensor, offsetInTensor + data.Length))
            throw new InvalidOperationException($"Bytes [{offsetInTensor}, {offsetInTensor + data.Length}) of tensor '{name}' were already written.");
        try
        {
            RandomAccess.Write(_handle, data, fileOffset + offsetInTensor);
        }
        catch (IOException ex)
        {
            throw OutputErrors.From(ex, TempPath);
        }
    }

    /// <summary>A whole tensor's bytes, straight from another file (<c>copy_file_range</c> where the OS has it).</summary>
    public void CopyFrom(int index, SafeFileHandle source, long sourceOffset)
    {
        ObjectDisposedException.ThrowIf(_state != 0, this);
        var (name, fileOffset, length) = _tensors[index];
        if (!_coverage[index].TryAdd(0, length))
            throw new InvalidOperationException($"Tensor '{name}' is copied whole, exactly once.");
        try
        {
            Merging.FileRangeCopy.Copy(source, sourceOffset, _handle, fileOffset, length);
        }
        catch (IOException ex)
        {
            throw OutputErrors.From(ex, TempPath);
        }
    }

    /// <summary>Checks that every byte was written, optionally flushes to disk, and renames the file into place.</summary>
    public void Commit(bool flushToDisk)
    {
        ObjectDisposedException.ThrowIf(_state != 0, this);
        for (int i = 0; i < _coverage.Length; i++)
        {
            if (!_coverage[i].IsComplete)
            {
                var (start, end) = _coverage[i].FirstHole();
                throw new InvalidOperationException($"Tensor '{_tensors[i].Name}' is incomplete: bytes [{start}, {end}) were never written.");
            }
        }
        try
        {
            if (flushToDisk)
            {
                using var stream = new FileStream(_handle, FileAccess.ReadWrite, 0);
                stream.Flush(flushToDisk: true);
            }
            File.Move(TempPath, FilePath, overwrite: true);
            _state = 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw OutputErrors.From(ex, FilePath);
        }
    }

    public void Dispose()
    {
        if (_state == 2)
            return;
        bool committed = _state == 1;
        _state = 2;
        _handle.Dispose();
        if (!committed)
            TryDelete(TempPath);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp file is never mistaken for output (it has a .tmp- suffix).
        }
    }
}
