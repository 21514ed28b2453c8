using System.IO.MemoryMappedFiles;
using LoraMerge.Diagnostics;

namespace LoraMerge.Formats;

/// <summary>A read-only, memory-mapped safetensors file; tensor bytes are handed out as zero-copy spans.</summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _base;

    private SafetensorsFile(string filePath, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* basePointer, SafetensorsHeader header)
    {
        FilePath = filePath;
        _map = map;
        _view = view;
        _base = basePointer;
        Header = header;
    }

    public string FilePath { get; }

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
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        var acquired = false;
        try
        {
            long fileLength;
            using (var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None))
            {
                fileLength = stream.Length;
                if (fileLength < 8) SafetensorsHeader.CheckHeaderLength(default, fileLength, fullPath);
                map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            }
            view = map.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            acquired = true;
            pointer += view.PointerOffset;
            var all = new ReadOnlySpan<byte>(pointer, (int)Math.Min(fileLength, int.MaxValue));
            var headerLength = SafetensorsHeader.CheckHeaderLength(all[..8], fileLength, fullPath);
            var header = SafetensorsHeader.Parse(all.Slice(8, headerLength), fileLength - 8 - headerLength, fullPath);
            return new SafetensorsFile(fullPath, map, view, pointer, header);
        }
        catch
        {
            if (acquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map?.Dispose();
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
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(_base == null, this);
        if (tensor.DataOffset < 0 || tensor.ByteLength < 0 || tensor.DataOffset > Header.DataLength - tensor.ByteLength)
            throw new ArgumentException($"Tensor '{tensor.Name}' does not lie inside {FilePath}.", nameof(tensor));
        return _base + Header.DataStart + tensor.DataOffset;
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
    }
}
