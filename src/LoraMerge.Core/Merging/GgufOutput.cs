using System.Buffers;
using System.Runtime.InteropServices;
using LoraMerge.Formats;
using LoraMerge.Gguf;
using LoraMerge.Provenance;

namespace LoraMerge.Merging;

/// <summary>
/// The GGUF file of a merge, fed from the same pipeline as the safetensors shards: produced rows and copied base
/// tensors are encoded to their GGUF type (and, for Llama's q/k, moved to the converter's row order) as they arrive,
/// so no intermediate checkpoint is written. Hashed while written; committed by <see cref="Finish"/>.
/// A reordered tensor is assembled in memory (one tensor at a time, in its GGUF type) and written in one piece when
/// complete: its rows land all over the tensor, and a write per row costs more than the rows themselves.
/// </summary>
internal sealed class GgufOutput : IDisposable
{
    public const string FileName = GgufArtifact.FileName;
    private const int CopyBlockBytes = 1 << 20;

    private readonly GgufModelPlan _plan;
    private readonly GgufWriter _writer;
    private readonly ProgressiveHash _hash;
    private readonly Dictionary<string, int> _indexBySource = new(StringComparer.Ordinal);
    private readonly object _stagingLock = new();
    private byte[] _staging = [];
    private int _stagedIndex = -1;

    private readonly int _threads;

    private GgufOutput(GgufModelPlan plan, GgufWriter writer, int threads)
    {
        _plan = plan;
        _writer = writer;
        _threads = Math.Max(1, threads);
        _hash = new ProgressiveHash(writer.TempPath);
        for (int i = 0; i < plan.Tensors.Count; i++)
            if (plan.Tensors[i].SourceName is { } name)
                _indexBySource[name] = i;
    }

    public string Path => _writer.FilePath;

    /// <param name="threads">Threads that encode an untouched tensor's row blocks (the merge's own threads are idle then).</param>
    public static GgufOutput Create(string path, GgufModelPlan plan, int threads) => new(plan, GgufWriter.Create(path, plan.Layout), threads);

    /// <summary>Whole rows of a produced tensor, in its stored dtype; from any thread. Tensors the GGUF leaves out are ignored.</summary>
    public void Write(string tensor, long offsetInTensor, ReadOnlySpan<byte> rows)
    {
        if (!_indexBySource.TryGetValue(tensor, out int index))
            return;
        var source = _plan.Tensors[index];
        if (source.Spec.Shape.Length <= 1)
        {
            WriteVector(index, source, offsetInTensor, rows);
            return;
        }
        var encoder = source.Encoder;
        long sourceRowBytes = encoder.SourceRowBytes;
        if (offsetInTensor % sourceRowBytes != 0 || rows.Length % sourceRowBytes != 0)
            throw new InvalidOperationException($"'{tensor}': GGUF output takes whole rows ({sourceRowBytes} bytes), got {rows.Length} bytes at {offsetInTensor}.");
        long firstRow = offsetInTensor / sourceRowBytes;
        int rowCount = (int)(rows.Length / sourceRowBytes);
        int targetRowBytes = (int)encoder.TargetRowBytes;
        byte[] encoded = ArrayPool<byte>.Shared.Rent(rowCount * targetRowBytes);
        try
        {
            encoder.Encode(rows, encoded.AsSpan(0, rowCount * targetRowBytes));
            if (source.PermutedHeads == 0)
            {
                _writer.Write(index, firstRow * targetRowBytes, encoded.AsSpan(0, rowCount * targetRowBytes));
                return;
            }
            long totalRows = source.Spec.Rows;
            var staged = Staged(index);
            for (int r = 0; r < rowCount; r++)
            {
                long target = GgufModelPlan.PermutedIndex(firstRow + r, totalRows, source.PermutedHeads);
                encoded.AsSpan(r * targetRowBytes, targetRowBytes).CopyTo(staged[checked((int)(target * targetRowBytes))..]);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(encoded);
        }
    }

    /// <summary>An untouched base tensor: straight file to file when its type and order stay, else read in row blocks and encoded.</summary>
    public void CopyFrom(string tensor, SafetensorsFile file, TensorInfo stored)
    {
        if (!_indexBySource.TryGetValue(tensor, out int index))
            return;
        var source = _plan.Tensors[index];
        long start = file.Header.DataStart + stored.DataOffset;
        if (source.PermutedHeads == 0 && source.Encoder.IsPlainCopy && source.Spec.Shape.Length > 1)
        {
            _writer.CopyFrom(index, file.Handle, start, stored.ByteLength);
            return;
        }
        long rowBytes = source.Spec.Shape.Length <= 1 ? stored.ByteLength : source.Encoder.SourceRowBytes;
        long blockBytes = Math.Max(1, CopyBlockBytes / Math.Max(1, rowBytes)) * rowBytes;
        int blocks = checked((int)((stored.ByteLength + blockBytes - 1) / blockBytes));
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = _threads }, block =>
        {
            long done = block * blockBytes;
            int n = (int)Math.Min(blockBytes, stored.ByteLength - done);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(n);
            try
            {
                RandomAccess.Read(file.Handle, buffer.AsSpan(0, n), start + done);
                Write(tensor, done, buffer.AsSpan(0, n));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });
    }

    /// <summary>Every byte of <paramref name="tensor"/> has been handed over: the hash may read up to its end.</summary>
    public void Completed(string tensor)
    {
        if (!_indexBySource.TryGetValue(tensor, out int index))
            return;
        if (_stagedIndex == index)
        {
            _writer.Write(index, 0, _staging.AsSpan(0, (int)_plan.Tensors[index].Spec.ByteLength));
            _stagedIndex = -1;
        }
        _hash.Advance(_writer.EndOf(index));
    }

    /// <summary>The buffer tensor <paramref name="index"/> is assembled in: one, reused, as tensors are produced one after another.</summary>
    private Span<byte> Staged(int index)
    {
        int length = checked((int)_plan.Tensors[index].Spec.ByteLength);
        lock (_stagingLock)
        {
            if (_stagedIndex != index)
            {
                if (_stagedIndex >= 0)
                    throw new InvalidOperationException($"Tensor '{_plan.Tensors[_stagedIndex].Spec.Name}' was not completed before the next reordered tensor.");
                if (_staging.Length < length)
                    _staging = GC.AllocateUninitializedArray<byte>(length);
                _stagedIndex = index;
            }
            return _staging.AsSpan(0, length);
        }
    }

    /// <summary>Writes the computed tensors, checks completeness, renames the file into place; returns its sha256.</summary>
    public string Finish()
    {
        for (int i = 0; i < _plan.Tensors.Count; i++)
        {
            if (_plan.Tensors[i].Generated is not { } values)
                continue;
            _writer.Write(i, 0, MemoryMarshal.AsBytes(values.AsSpan()));
            _hash.Advance(_writer.EndOf(i));
        }
        string sha256 = _hash.Complete(_plan.Layout.FileLength).GetAwaiter().GetResult();
        _writer.Commit();
        return sha256;
    }

    private void WriteVector(int index, GgufTensorSource source, long offsetInTensor, ReadOnlySpan<byte> bytes)
    {
        int elementBytes = DTypes.SizeOf(source.SourceDType);
        long first = offsetInTensor / elementBytes;
        int count = bytes.Length / elementBytes;
        float[] values = ArrayPool<float>.Shared.Rent(count);
        try
        {
            new GgufRowEncoder(source.SourceDType, GgufTensorType.F32, count).Encode(bytes, MemoryMarshal.AsBytes(values.AsSpan(0, count)));
            if (source.PermutedHeads == 0)
            {
                _writer.Write(index, first * 4, MemoryMarshal.AsBytes(values.AsSpan(0, count)));
                return;
            }
            long total = source.Spec.ElementCount;
            var staged = MemoryMarshal.Cast<byte, float>(Staged(index));
            for (int e = 0; e < count; e++)
                staged[checked((int)GgufModelPlan.PermutedIndex(first + e, total, source.PermutedHeads))] = values[e];
        }
        finally
        {
            ArrayPool<float>.Shared.Return(values);
        }
    }

    public void Dispose()
    {
        _hash.Dispose();
        _writer.Dispose();
    }
}
