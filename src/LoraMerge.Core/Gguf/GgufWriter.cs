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
    private readonly TensorFileBuilder _file;

    private GgufWriter(TensorFileBuilder file, GgufLayout layout)
    {
        _file = file;
        Layout = layout;
    }

    public string FilePath => _file.FilePath;

    public string TempPath => _file.TempPath;

    public GgufLayout Layout { get; }

    public static GgufWriter Create(string path, GgufLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var tensors = layout.Tensors.Select(t => (t.Spec.Name, layout.Header.Length + t.DataOffset, t.Spec.ByteLength)).ToArray();
        return new GgufWriter(TensorFileBuilder.Create(path, layout.Header, layout.FileLength, tensors), layout);
    }

    /// <summary>Where tensor <paramref name="index"/>'s bytes end in the file.</summary>
    public long EndOf(int index) => _file.EndOf(index);

    /// <summary>Writes bytes of one tensor at a position inside it. Safe to call from several threads at once.</summary>
    public void Write(int index, long offsetInTensor, ReadOnlySpan<byte> data) => _file.Write(index, offsetInTensor, data);

    /// <summary>Copies a tensor's bytes, already in its GGUF type, straight from another file.</summary>
    public void CopyFrom(int index, SafeFileHandle source, long sourceOffset, long length)
    {
        if (length != Layout.Tensors[index].Spec.ByteLength)
            throw new ArgumentException($"Tensor '{Layout.Tensors[index].Spec.Name}' has {Layout.Tensors[index].Spec.ByteLength} bytes, not {length}.", nameof(length));
        _file.CopyFrom(index, source, sourceOffset);
    }

    /// <summary>Checks that every byte was written and renames the file into place.</summary>
    /// <remarks>
    /// No fsync, as for the merge's mirrored safetensors shards and like cp: the kernel writes back, and the merged
    /// folder only becomes visible by its rename once complete. (An fsync of a 1 GB file cost 0.28 s, 40% of a merge.)
    /// </remarks>
    public void Commit() => _file.Commit(flushToDisk: false);

    public void Dispose() => _file.Dispose();
}
