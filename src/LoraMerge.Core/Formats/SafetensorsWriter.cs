using System.Security.Cryptography;
using LoraMerge.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace LoraMerge.Formats;

/// <summary>
/// Streams tensors into a new safetensors file. The file is built as <c>&lt;path&gt;.tmp-&lt;random&gt;</c> beside the target,
/// pre-sized with the header already written, and renamed into place by <see cref="Commit"/> once every byte has been
/// written exactly once; disposing without committing deletes it. Same specs and metadata give the same bytes.
/// </summary>
public sealed class SafetensorsWriter : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly WriteCoverage[] _coverage;
    private readonly long _dataStart;
    private int _state; // 0 open, 1 committed, 2 disposed

    private SafetensorsWriter(string path, string tempPath, SafeFileHandle handle, TensorInfo[] layout, long dataStart)
    {
        FilePath = path;
        TempPath = tempPath;
        _handle = handle;
        Layout = layout;
        _dataStart = dataStart;
        _coverage = Array.ConvertAll(layout, t => new WriteCoverage(t.ByteLength));
    }

    /// <summary>The final path the file is renamed to on <see cref="Commit"/>.</summary>
    public string FilePath { get; }

    /// <summary>The temporary file being written.</summary>
    public string TempPath { get; }

    /// <summary>The tensors with the data offsets the writer assigned, in data order (the order given).</summary>
    public IReadOnlyList<TensorInfo> Layout { get; }

    /// <summary>The size the finished file will have, without creating anything (for free-space checks).</summary>
    public static long ComputeFileLength(IReadOnlyList<TensorSpec> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var header = SafetensorsHeaderWriter.Build(tensors, metadata, out var layout);
        return layout.Aggregate((long)header.Length, (sum, t) => checked(sum + t.ByteLength));
    }

    public static SafetensorsWriter Create(string path, IReadOnlyList<TensorSpec> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var fullPath = Path.GetFullPath(path);
        var header = SafetensorsHeaderWriter.Build(tensors, metadata, out var layout);
        var fileLength = layout.Aggregate((long)header.Length, (sum, t) => checked(sum + t.ByteLength));
        var tempPath = $"{fullPath}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        SafeFileHandle? handle = null;
        try
        {
            handle = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, FileOptions.None, fileLength);
            RandomAccess.SetLength(handle, fileLength);
            RandomAccess.Write(handle, header, 0);
            return new SafetensorsWriter(fullPath, tempPath, handle, layout, header.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            handle?.Dispose();
            TryDelete(tempPath);
            throw OutputError(ex, tempPath);
        }
    }

    /// <summary>Writes bytes of one tensor at a position inside it. Safe to call from several threads at once.</summary>
    /// <exception cref="InvalidOperationException">Some of these bytes were already written.</exception>
    public void Write(int tensorIndex, long offsetInTensor, ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_state != 0, this);
        ArgumentOutOfRangeException.ThrowIfNegative(tensorIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(tensorIndex, Layout.Count);
        var tensor = Layout[tensorIndex];
        ArgumentOutOfRangeException.ThrowIfNegative(offsetInTensor);
        if (offsetInTensor > tensor.ByteLength - data.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(data),
                $"Writing {data.Length} bytes at {offsetInTensor} runs past the end of tensor '{tensor.Name}' ({tensor.ByteLength} bytes).");
        }
        if (!_coverage[tensorIndex].TryAdd(offsetInTensor, offsetInTensor + data.Length))
        {
            throw new InvalidOperationException(
                $"Bytes [{offsetInTensor}, {offsetInTensor + data.Length}) of tensor '{tensor.Name}' were already written.");
        }
        try
        {
            RandomAccess.Write(_handle, data, _dataStart + tensor.DataOffset + offsetInTensor);
        }
        catch (IOException ex)
        {
            throw OutputError(ex, TempPath);
        }
    }

    /// <summary>Writes a whole tensor in one call.</summary>
    public void WriteTensor(int tensorIndex, ReadOnlySpan<byte> data)
    {
        if (data.Length != Layout[tensorIndex].ByteLength)
            throw new ArgumentException($"Tensor '{Layout[tensorIndex].Name}' has {Layout[tensorIndex].ByteLength} bytes, got {data.Length}.", nameof(data));
        Write(tensorIndex, 0, data);
    }

    /// <summary>Checks that every byte was written, flushes to disk and renames the file into place.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_state != 0, this);
        for (var i = 0; i < _coverage.Length; i++)
        {
            if (!_coverage[i].IsComplete)
            {
                var (start, end) = _coverage[i].FirstHole();
                throw new InvalidOperationException($"Tensor '{Layout[i].Name}' is incomplete: bytes [{start}, {end}) were never written.");
            }
        }
        try
        {
            using (var stream = new FileStream(_handle, FileAccess.ReadWrite, 0))
            {
                stream.Flush(flushToDisk: true);
            }
            File.Move(TempPath, FilePath, overwrite: true);
            _state = 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw OutputError(ex, FilePath);
        }
    }

    public void Dispose()
    {
        if (_state == 2) return;
        var committed = _state == 1;
        _state = 2;
        _handle.Dispose();
        if (!committed) TryDelete(TempPath);
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

    internal static LoraException OutputError(Exception ex, string path)
    {
        var diskFull = ex.HResult == 28 /* ENOSPC */ || ex.HResult == 122 /* EDQUOT */
            || (ex.HResult & 0xFFFF) is 0x70 /* ERROR_DISK_FULL */ or 0x27 /* ERROR_HANDLE_DISK_FULL */;
        return diskFull
            ? new LoraException(ErrorCodes.DiskFull, $"Not enough disk space to write the output: {ex.Message}", path, ex)
            : new LoraException(ErrorCodes.OutputNotWritable, $"Could not write the output: {ex.Message}", path, ex);
    }
}
