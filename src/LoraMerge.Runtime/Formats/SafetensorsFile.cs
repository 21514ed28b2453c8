using System.IO.MemoryMappedFiles;
using LoraMerge.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace LoraMerge.Formats;

/// <summary>
/// A read-only, memory-mapped safetensors file; tensor bytes are handed out as zero-copy spans, or copied into a
/// caller's buffer with positional reads (<see cref="Read"/>) that never touch the mapping.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _base;

    private SafetensorsFile(string filePath, SafeFileHandle handle, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* basePointer, SafetensorsHeader header)
    {
        FilePath = filePath;
        _handle = handle;
        _map = map;
        _view = view;
        _base = basePointer;
        Header = header;
    }

    public string FilePath { get; }

    /// <summary>The open read handle (for kernel-side copies such as copy_file_range); owned by this object.</summary>
    internal SafeFileHandle Handle => _handle;

    public SafetensorsHeader Header { get; }

    public static SafetensorsFile Open(string path)
    {
        var fullPath = Path.GetFullPath(path);
        try
        {
            return Map(fullPath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LoraException(ErrorCodes.FileNotFound, $"Safetensors file not found: {fullPath}", fullPath, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LoraException(ErrorCodes.ReadFailed, $"Could not map safetensors file: {ex.Message}", fullPath, ex);
        }
    }

    private static SafetensorsFile Map(string fullPath)
    {
        SafeFileHandle? handle = null;
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        var acquired = false;
        try
        {
            // The handle stays open beside the mapping: Read uses it for pread.
            handle = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
            var fileLength = RandomAccess.GetLength(handle);
            if (fileLength < 8) SafetensorsHeader.CheckHeaderLength(default, fileLength, fullPath);
            map = MemoryMappedFile.CreateFromFile(handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            view = map.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            acquired = true;
            pointer += view.PointerOffset;
            var all = new ReadOnlySpan<byte>(pointer, (int)Math.Min(fileLength, int.MaxValue));
            var headerLength = SafetensorsHeader.CheckHeaderLength(all[..8], fileLength, fullPath);
            var header = SafetensorsHeader.Parse(all.Slice(8, headerLength), fileLength - 8 - headerLength, fullPath);
            return new SafetensorsFile(fullPath, handle, map, view, pointer, header);
        }
        catch
        {
            if (acquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map?.Dispose();
            handle?.Dispose();
            throw;
        }
    }

    /// <summary>The tensor's bytes, without copying. Tensors over <see cref="int.MaxValue"/> bytes need <see cref="GetPointer"/>.</summary>
    public ReadOnlySpan<byte> GetBytes(TensorInfo tensor)
    {
        var pointer = GetPointer(tensor);
        if (tensor.ByteLength > int.MaxValue)
        {
            throw new LoraException(ErrorCodes.ReadFailed,
                $"Tensor '{tensor.Name}' has {tensor.ByteLength} bytes, too many for a span; read it through GetPointer.", FilePath);
        }
        return new ReadOnlySpan<byte>(pointer, (int)tensor.ByteLength);
    }

    /// <summary>The tensor's elements as <typeparamref name="T"/>, without copying (the byte length must be a multiple of its size).</summary>
    public ReadOnlySpan<T> GetSpan<T>(TensorInfo tensor) where T : unmanaged
    {
        var pointer = GetPointer(tensor);
        if (tensor.ByteLength % sizeof(T) != 0)
        {
            throw new ArgumentException(
                $"Tensor '{tensor.Name}' has {tensor.ByteLength} bytes, not a multiple of {typeof(T).Name} ({sizeof(T)} bytes).", nameof(tensor));
        }
        var count = tensor.ByteLength / sizeof(T);
        if (count > int.MaxValue)
        {
            throw new LoraException(ErrorCodes.ReadFailed,
                $"Tensor '{tensor.Name}' has {count} elements, too many for a span; read it through GetPointer.", FilePath);
        }
        return new ReadOnlySpan<T>(pointer, (int)count);
    }

    /// <summary>The address of the tensor's first byte; valid until this file is disposed.</summary>
    public byte* GetPointer(TensorInfo tensor)
    {
        CheckInside(tensor);
        return _base + Header.DataStart + tensor.DataOffset;
    }

    /// <summary>
    /// Copies the tensor's bytes from <paramref name="offsetInTensor"/> on into <paramref name="destination"/> with
    /// positional reads on the file (page cache to buffer, the mapping is never touched) and returns how many bytes
    /// were copied: the smaller of the destination's length and the bytes left in the tensor (0 at its end).
    /// Safe to call from several threads at once.
    /// </summary>
    public int Read(TensorInfo tensor, long offsetInTensor, Span<byte> destination)
    {
        CheckInside(tensor);
        ArgumentOutOfRangeException.ThrowIfNegative(offsetInTensor);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offsetInTensor, tensor.ByteLength);
        var count = (int)Math.Min(destination.Length, tensor.ByteLength - offsetInTensor);
        var fileOffset = Header.DataStart + tensor.DataOffset + offsetInTensor;
        var done = 0;
        try
        {
            while (done < count)
            {
                var n = RandomAccess.Read(_handle, destination[done..count], fileOffset + done);
                if (n == 0)
                {
                    throw new LoraException(ErrorCodes.ReadFailed,
                        $"Tensor '{tensor.Name}': the file ended at byte {fileOffset + done}; was it truncated while open?", FilePath);
                }
                done += n;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LoraException(ErrorCodes.ReadFailed, $"Could not read tensor '{tensor.Name}': {ex.Message}", FilePath, ex);
        }
        return count;
    }

    private void CheckInside(TensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(_base == null, this);
        if (tensor.DataOffset < 0 || tensor.ByteLength < 0 || tensor.DataOffset > Header.DataLength - tensor.ByteLength)
            throw new ArgumentException($"Tensor '{tensor.Name}' does not lie inside {FilePath}.", nameof(tensor));
    }

    /// <summary>Looks a tensor up by name and returns its bytes; throws if the file has no such tensor.</summary>
    public ReadOnlySpan<byte> GetBytes(string tensorName) =>
        GetBytes(Header.Find(tensorName) ?? throw new KeyNotFoundException($"No tensor '{tensorName}' in {FilePath}."));

    public void Dispose()
    {
        if (_base == null) return;
        _base = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        _handle.Dispose();
    }
}
