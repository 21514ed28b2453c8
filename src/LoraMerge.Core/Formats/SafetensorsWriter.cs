namespace LoraMerge.Formats;

/// <summary>
/// Streams tensors into a new safetensors file. The file is built as <c>&lt;path&gt;.tmp-&lt;random&gt;</c> beside the target,
/// pre-sized with the header already written, and renamed into place by <see cref="Commit"/> once every byte has been
/// written exactly once; disposing without committing deletes it. Same specs and metadata give the same bytes.
/// </summary>
public sealed class SafetensorsWriter : IDisposable
{
    private readonly TensorFileBuilder _file;

    private SafetensorsWriter(TensorFileBuilder file, TensorInfo[] layout)
    {
        _file = file;
        Layout = layout;
    }

    /// <summary>The final path the file is renamed to on <see cref="Commit"/>.</summary>
    public string FilePath => _file.FilePath;

    /// <summary>The temporary file being written.</summary>
    public string TempPath => _file.TempPath;

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
        var header = SafetensorsHeaderWriter.Build(tensors, metadata, out var layout);
        long fileLength = layout.Aggregate((long)header.Length, (sum, t) => checked(sum + t.ByteLength));
        var file = TensorFileBuilder.Create(path, header, fileLength,
            Array.ConvertAll(layout, t => (t.Name, header.Length + t.DataOffset, t.ByteLength)));
        return new SafetensorsWriter(file, layout);
    }

    /// <summary>Writes bytes of one tensor at a position inside it. Safe to call from several threads at once.</summary>
    /// <exception cref="InvalidOperationException">Some of these bytes were already written.</exception>
    public void Write(int tensorIndex, long offsetInTensor, ReadOnlySpan<byte> data) => _file.Write(tensorIndex, offsetInTensor, data);

    /// <summary>Writes a whole tensor in one call.</summary>
    public void WriteTensor(int tensorIndex, ReadOnlySpan<byte> data)
    {
        if (data.Length != Layout[tensorIndex].ByteLength)
            throw new ArgumentException($"Tensor '{Layout[tensorIndex].Name}' has {Layout[tensorIndex].ByteLength} bytes, got {data.Length}.", nameof(data));
        Write(tensorIndex, 0, data);
    }

    /// <summary>Checks that every byte was written, flushes to disk and renames the file into place.</summary>
    public void Commit() => _file.Commit(flushToDisk: true);

    public void Dispose() => _file.Dispose();
}
