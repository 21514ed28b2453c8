using LoraMerge.Formats;

namespace LoraMerge.Runtime;

/// <summary>One safetensors file whose bytes are addressable in place: memory-mapped from disk, or an embedded resource.</summary>
internal abstract unsafe class WeightFile : IDisposable
{
    public abstract SafetensorsHeader Header { get; }

    public abstract byte* PointerOf(TensorInfo tensor);

    /// <summary>A fresh stream over the whole file, for hashing.</summary>
    public abstract Stream OpenRead();

    public abstract void Dispose();
}

internal sealed unsafe class MappedWeightFile : WeightFile
{
    private readonly SafetensorsFile _file;

    public MappedWeightFile(SafetensorsFile file) => _file = file;

    public override SafetensorsHeader Header => _file.Header;

    public override byte* PointerOf(TensorInfo tensor) => _file.GetPointer(tensor);

    public override Stream OpenRead() =>
        new FileStream(_file.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);

    public override void Dispose() => _file.Dispose();
}

/// <summary>A safetensors file held in unmanaged memory (an embedded resource's <see cref="UnmanagedMemoryStream"/>).</summary>
internal sealed unsafe class MemoryWeightFile : WeightFile
{
    private readonly UnmanagedMemoryStream _stream;
    private readonly byte* _base;
    private readonly long _length;

    private MemoryWeightFile(UnmanagedMemoryStream stream, byte* basePointer, long length, SafetensorsHeader header)
    {
        _stream = stream;
        _base = basePointer;
        _length = length;
        Header = header;
    }

    public override SafetensorsHeader Header { get; }

    /// <summary>Parses the header in place; throws the format's <see cref="LoraMerge.Diagnostics.LoraException"/> when it is invalid.</summary>
    public static MemoryWeightFile Create(UnmanagedMemoryStream stream, string name)
    {
        stream.Position = 0;
        var basePointer = stream.PositionPointer;
        var length = stream.Length;
        var all = new ReadOnlySpan<byte>(basePointer, (int)Math.Min(length, int.MaxValue));
        var headerLength = SafetensorsHeader.CheckHeaderLength(length >= 8 ? all[..8] : default, length, name);
        var header = SafetensorsHeader.Parse(all.Slice(8, headerLength), length - 8 - headerLength, name);
        return new MemoryWeightFile(stream, basePointer, length, header);
    }

    public override byte* PointerOf(TensorInfo tensor) => _base + Header.DataStart + tensor.DataOffset;

    public override Stream OpenRead() => new UnmanagedMemoryStream(_base, _length);

    public override void Dispose() => _stream.Dispose();
}
