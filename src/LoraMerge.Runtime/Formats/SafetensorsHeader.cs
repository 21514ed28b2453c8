using System.Buffers.Binary;
using LoraMerge.Diagnostics;

namespace LoraMerge.Formats;

/// <summary>A validated safetensors header: the tensor table and the metadata, checked against the file's length.</summary>
public sealed class SafetensorsHeader
{
    /// <summary>Headers longer than this are rejected before anything is allocated.</summary>
    public const long MaxHeaderLength = 100L * 1024 * 1024;

    /// <summary>The smallest header that can be valid: "{}".</summary>
    public const long MinHeaderLength = 2;

    private readonly Dictionary<string, TensorInfo> _byName;

    private SafetensorsHeader(string filePath, long headerLength, long dataLength, TensorInfo[] tensors, Dictionary<string, string> metadata)
    {
        FilePath = filePath;
        HeaderLength = headerLength;
        DataLength = dataLength;
        Tensors = tensors;
        Metadata = metadata;
        _byName = new Dictionary<string, TensorInfo>(tensors.Length, StringComparer.Ordinal);
        foreach (var t in tensors) _byName.Add(t.Name, t);
    }

    public string FilePath { get; }

    /// <summary>N, from the file's first 8 bytes: the length of the JSON header (padding included).</summary>
    public long HeaderLength { get; }

    /// <summary>Where the data section starts in the file: 8 + N.</summary>
    public long DataStart => 8 + HeaderLength;

    /// <summary>Bytes of the data section (file length minus <see cref="DataStart"/>).</summary>
    public long DataLength { get; }

    /// <summary>The file's total length.</summary>
    public long FileLength => DataStart + DataLength;

    /// <summary>Tensors in file order (by data offset).</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public TensorInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads and validates only the 8 + N header bytes of <paramref name="path"/>.</summary>
    public static SafetensorsHeader Read(string path)
    {
        var fullPath = Path.GetFullPath(path);
        try
        {
            using var handle = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
            var fileLength = RandomAccess.GetLength(handle);
            Span<byte> prefix = stackalloc byte[8];
            if (fileLength < 8 || RandomAccess.Read(handle, prefix, 0) != 8)
                throw TooShort(fullPath, fileLength);
            var headerLength = CheckHeaderLength(prefix, fileLength, fullPath);
            var json = new byte[headerLength];
            var read = 0;
            while (read < json.Length)
            {
                var n = RandomAccess.Read(handle, json.AsSpan(read), 8 + read);
                if (n == 0) throw new LoraException(ErrorCodes.ReadFailed, "The file got shorter while it was being read.", fullPath);
                read += n;
            }
            return Parse(json, fileLength - 8 - headerLength, fullPath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LoraException(ErrorCodes.FileNotFound, $"Safetensors file not found: {fullPath}", fullPath, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LoraException(ErrorCodes.ReadFailed, $"Could not read safetensors file: {ex.Message}", fullPath, ex);
        }
    }

    /// <summary>Parses and validates header JSON (the N bytes after the length prefix) against a data section.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> headerJson, long dataLength, string filePath)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataLength);
        var (tensors, metadata) = SafetensorsHeaderParser.Parse(headerJson, dataLength, filePath);
        return new SafetensorsHeader(filePath, headerJson.Length, dataLength, tensors, metadata);
    }

    /// <summary>Checks the little-endian length prefix against the bounds and the file length; returns N.</summary>
    internal static int CheckHeaderLength(ReadOnlySpan<byte> prefix, long fileLength, string filePath)
    {
        if (fileLength < 8) throw TooShort(filePath, fileLength);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > MaxHeaderLength)
        {
            throw SafetensorsHeaderParser.Fail(ErrorCodes.HeaderLength, filePath, "header length is absurdly large",
                $"{n} bytes, the limit is {MaxHeaderLength}");
        }
        if (n < MinHeaderLength)
            throw SafetensorsHeaderParser.Fail(ErrorCodes.HeaderLength, filePath, "header length is too small", $"{n} bytes");
        if ((long)n > fileLength - 8)
        {
            throw SafetensorsHeaderParser.Fail(ErrorCodes.HeaderLength, filePath, "header length exceeds the file",
                $"{n} bytes of header but the file has {fileLength - 8} after the length prefix");
        }
        return (int)n;
    }

    private static SafetensorsFormatException TooShort(string filePath, long fileLength) =>
        SafetensorsHeaderParser.Fail(ErrorCodes.HeaderLength, filePath, "file is shorter than the 8-byte length prefix",
            $"{fileLength} bytes");
}
