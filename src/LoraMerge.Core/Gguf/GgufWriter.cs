using System.Security.Cryptography;
using LoraMerge.Formats;
using Microsoft.Win32.SafeHandles;

namespace LoraMerge.Gguf;

/// <summary>
/// Streams tensors into a new GGUF file laid out by <see cref="GgufLayout"/>. Like <see cref="SafetensorsWriter"/>:
/// built as <c>&lt;path&gt;.tmp-&lt;random&gt;</c> with the header already written, tensors written at their place from
/// any thread, renamed into place by <see cref="Commit"/> once every byte was written exactly once; disposing without
/// committing deletes it. Padding is zero. Same layout and bytes give the same file.
/// </summary>
public sealed class GgufWriter : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly WriteCoverage[] _coverage;
    private int _state; // 0 open, 1 committed, 2 disposed

    private GgufWriter(string path, string tempPath, SafeFileHandle handle, GgufLayout layout)
    {
        FilePath = path;
        TempPath = tempPath;
        _handle = handle;
        Layout = layout;
        _coverage = layout.Tensors.Select(t => new WriteCoverage(t.Spec.ByteLength)).ToArray();
    }

    public string FilePath { get; }

    public string TempPath { get; }

    public GgufLayout Layout { get; }

    public static GgufWriter Create(string path, GgufLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var fullPath = Path.GetFullPath(path);
        var tempPath = $"{fullPath}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        SafeFileHandle? handle = null;
        try
        {
            handle = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, FileOptions.None, layout.FileLength);
            RandomAccess.SetLength(handle, layout.FileLength);
            RandomAccess.Write(handle, layout.Header, 0);
            return new GgufWriter(fullPath, tempPath, handle, layout);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            handle?.Dispose();
            TryDelete(tempPath);
            throw SafetensorsWriter.OutputError(ex, tempPath);
        }
    }

    /// <summary>Where tensor <paramref name="index"/>'s bytes end in the file.</summary>
    public long EndOf(int index) => Layout.Header.Length + Layout.Tensors[index].DataOffset + Layout.Tensors[index].Spec.ByteLength;

    /// <summary>Writes bytes of one tensor at a position inside it. Safe to call from several threads at once.</summary>
    public void Write(int index, long offsetInTensor, ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_state != 0, this);
        var tensor = Layout.Tensors[index];
        if (offsetInTensor < 0 || offsetInTensor > tensor.Spec.ByteLength - data.Length)
            throw new ArgumentOutOfRangeException(nameof(offsetInTensor),
                $"Writing {data.Length} bytes at {offsetInTensor} runs past the end of tensor '{tensor.Spec.Name}' ({tensor.Spec.ByteLength} bytes).");
        if (!_coverage[index].TryAdd(offsetInTensor, offsetInTensor + data.Length))
            throw new InvalidOperationException($"Bytes [{offsetInTensor}, {offsetInTensor + data.Length}) of tensor '{tensor.Spec.Name}' were already written.");
        try
        {
            RandomAccess.Write(_handle, data, Layout.Header.Length + tensor.DataOffset + offsetInTensor);
        }
        catch (IOException ex)
        {
            throw SafetensorsWriter.OutputError(ex, TempPath);
        }
    }

    /// <summary>Copies a tensor's bytes, already in its GGUF type, straight from another file.</summary>
    public void CopyFrom(int index, SafeFileHandle source, long sourceOffset, long length)
    {
        ObjectDisposedException.ThrowIf(_state != 0, this);
        var tensor = Layout.Tensors[index];
        if (length != tensor.Spec.ByteLength || !_coverage[index].TryAdd(0, length))
            throw new InvalidOperationException($"Tensor '{tensor.Spec.Name}' is copied whole, exactly once.");
        try
        {
            Merging.FileRangeCopy.Copy(source, sourceOffset, _handle, Layout.Header.Length + tensor.DataOffset, length);
        }
        catch (IOException ex)
        {
            throw SafetensorsWriter.OutputError(ex, TempPath);
        }
    }

    /// <summary>Checks that every byte was written and renames the file into place.</summary>
    /// <remarks>
    /// No fsync, as for the merge's mirrored safetensors shards and like cp: the kernel writes back, and the merged
    /// folder only becomes visible by its rename once complete. (An fsync of a 1 GB file cost 0.28 s, 40% of a merge.)
    /// </remarks>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_state != 0, this);
        for (int i = 0; i < _coverage.Length; i++)
        {
            if (!_coverage[i].IsComplete)
            {
                var (start, end) = _coverage[i].FirstHole();
                throw new InvalidOperationException($"Tensor '{Layout.Tensors[i].Spec.Name}' is incomplete: bytes [{start}, {end}) were never written.");
            }
        }
        try
        {
            File.Move(TempPath, FilePath, overwrite: true);
            _state = 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw SafetensorsWriter.OutputError(ex, FilePath);
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
            // Best effort: a leftover has a .tmp- suffix and is never mistaken for output.
        }
    }
}
