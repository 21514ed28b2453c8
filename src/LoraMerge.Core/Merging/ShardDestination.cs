using LoraMerge.Formats;
using Microsoft.Win32.SafeHandles;

namespace LoraMerge.Merging;

/// <summary>An output shard being written: tensors land at their place in the file, from any thread.</summary>
internal abstract class ShardDestination : IDisposable
{
    public abstract void Write(int tensorIndex, long offsetInTensor, ReadOnlySpan<byte> bytes);

    /// <summary>Copies a tensor's bytes straight from a base file.</summary>
    public abstract void CopyFrom(int tensorIndex, SafeFileHandle source, long sourceOffset, long length);

    public abstract void Complete();

    /// <summary>The file being written (a temp name until <see cref="Complete"/> for re-sharded output).</summary>
    public abstract string WritingPath { get; }

    /// <summary>Where tensor <paramref name="tensorIndex"/>'s bytes end in the file.</summary>
    public abstract long EndOf(int tensorIndex);

    public abstract long FileLength { get; }

    public abstract void Dispose();

    /// <summary>Mirrors a base shard: the base's own header bytes, the same offsets, so untouched bytes stay identical.</summary>
    public static ShardDestination Mirror(string path, SafetensorsHeader header)
    {
        var headerBytes = new byte[header.DataStart];
        using (var source = File.OpenHandle(header.FilePath))
            RandomAccess.Read(source, headerBytes, 0);
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, FileOptions.None,
            preallocationSize: header.DataStart + header.DataLength);
        try
        {
            RandomAccess.Write(handle, headerBytes, 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return new MirroredShard(handle, header, path);
    }

    /// <summary>A new shard laid out by <see cref="SafetensorsWriter"/> (re-sharding).</summary>
    public static ShardDestination New(string path, IReadOnlyList<TensorSpec> tensors, IReadOnlyDictionary<string, string> metadata) =>
        new WrittenShard(SafetensorsWriter.Create(path, tensors, metadata),
            SafetensorsWriter.ComputeFileLength(tensors, metadata));

    private sealed class MirroredShard(SafeFileHandle handle, SafetensorsHeader header, string path) : ShardDestination
    {
        public override string WritingPath => path;

        public override long EndOf(int tensorIndex) => header.DataStart + header.Tensors[tensorIndex].DataOffset + header.Tensors[tensorIndex].ByteLength;

        public override long FileLength => header.DataStart + header.DataLength;

        public override void Write(int tensorIndex, long offsetInTensor, ReadOnlySpan<byte> bytes) =>
            RandomAccess.Write(handle, bytes, header.DataStart + header.Tensors[tensorIndex].DataOffset + offsetInTensor);

        public override void CopyFrom(int tensorIndex, SafeFileHandle source, long sourceOffset, long length) =>
            FileRangeCopy.Copy(source, sourceOffset, handle, header.DataStart + header.Tensors[tensorIndex].DataOffset, length);

        // No fsync: like cp, the kernel writes back; the folder only becomes visible by rename once complete.
        public override void Complete()
        {
        }

        public override void Dispose() => handle.Dispose();
    }

    private sealed class WrittenShard(SafetensorsWriter writer, long fileLength) : ShardDestination
    {
        private readonly long _dataStart = fileLength - writer.Layout.Sum(t => t.ByteLength);

        public override string WritingPath => writer.TempPath;

        public override long EndOf(int tensorIndex) => _dataStart + writer.Layout[tensorIndex].DataOffset + writer.Layout[tensorIndex].ByteLength;

        public override long FileLength => fileLength;

        public override void Write(int tensorIndex, long offsetInTensor, ReadOnlySpan<byte> bytes) =>
            writer.Write(tensorIndex, offsetInTensor, bytes);

        public override void CopyFrom(int tensorIndex, SafeFileHandle source, long sourceOffset, long length) =>
            FileRangeCopy.BufferedCopy((buffer, offset) => RandomAccess.Read(source, buffer, sourceOffset + offset),
                (offset, bytes) => writer.Write(tensorIndex, offset, bytes), length);

        public override void Complete() => writer.Commit();

        public override void Dispose() => writer.Dispose();
    }
}
