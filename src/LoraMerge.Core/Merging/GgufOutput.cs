using System.Buffers;
using LoraMerge.Formats;
using LoraMerge.Gguf;

namespace LoraMerge.Merging;

/// <summary>
/// The GGUF file of a merge, fed from the same pipeline as the safetensors shards: produced rows and copied base
/// tensors are encoded to their GGUF type (and, for Llama's q/k, moved to the converter's row order) as they arrive,
/// so no intermediate checkpoint is written. Hashed while written; committed by <see cref="Finish"/>.
/// </summary>
internal sealed class GgufOutput : IDisposable
{
    public const string FileName = GgufArtifact.FileName;
    private const int CopyBlockBytes = 1 << 20;

    private readonly GgufModelPlan _plan;
    private readonly GgufWriter _writer;
    private readonly ProgressiveHash _hash;
    private readonly Dictionary<string, int> _indexBySource = new(StringComparer.Ordinal);

    private GgufOutput(GgufModelPlan plan, GgufWriter writer)
    {
        _plan = plan;
        _writer = writer;
        _hash = new ProgressiveHash(writer.TempPath);
        for (int i = 0; i < plan.Tensors.Count; i++)
            if (plan.Tensors[i].SourceName is { } name)
                _indexBySource[name] = i;
    }

    public string Path => _writer.FilePath;

    public static GgufOutput Create(string path, GgufModelPlan plan) => new(plan, GgufWriter.Create(path, plan.Layout));

    /// <summary>Whole rows of a produced tensor, in its stored dtype; from any thread. Tensors the GGUF leaves out are ignored.</summary>
    public void Write(string tensor, long offsetInTensor, ReadOnlySpan<byte> rows)
    {
        if (!_indexBySource.TryGetValue(tensor, out int index))
            return;
        var source = _plan.Tensors[index];
        var encoder = source.Encoder;
        long sourceRowBytes = source.Spec.Shape.Length <= 1 ? rows.Length : encoder.SourceRowBytes;
        if (source.Spec.Shape.Length <= 1)
        {
            WriteVector(index, source, offsetInTensor, rows);
            return;
        }
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
            for (int r = 0; r < rowCount; r++)
            {
                long target = GgufModelPlan.PermutedIndex(firstRow + r, totalRows, source.PermutedHeads);
                _writer.Write(index, target * targetRowBytes, encoded.AsSpan(r * targetRowBytes, targetRowBytes));
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
        long rowsPerBlock = Math.Max(1, CopyBlockBytes / Math.Max(1, rowBytes));
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(stored.ByteLength, rowsPerBlock * rowBytes));
        try
        {
            for (long done = 0; done < stored.ByteLength;)
            {
                int n = (int)Math.Min(rowsPerBlock * rowBytes, stored.ByteLength - done);
                RandomAccess.Read(file.Handle, buffer.AsSpan(0, n), start + done);
                Write(tensor, done, buffer.AsSpan(0, n));
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Every byte of <paramref name="tensor"/> has been handed over: the hash may read up to its end.</summary>
    public void Completed(string tensor)
    {
        if (_indexBySource.TryGetValue(tensor, out int index))
            _hash.Advance(_writer.EndOf(index));
    }

    /// <summary>Writes the computed tensors, checks completeness, renames the file into place; returns its sha256.</summary>
    public string Finish()
    {
        for (int i = 0; i < _plan.Tensors.Count; i++)
        {
            if (_plan.Tensors[i].Generated is not { } values)
                continue;
            _writer.Write(i, 0, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
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
            new GgufRowEncoder(source.SourceDType, GgufTensorType.F32, count).Encode(bytes, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan(0, count)));
            if (source.PermutedHeads == 0)
            {
                _writer.Write(index, first * 4, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan(0, count)));
                return;
            }
            long total = source.Spec.ElementCount;
            for (int e = 0; e < count; e++)
            {
                long target = GgufModelPlan.PermutedIndex(first + e, total, source.PermutedHeads);
                _writer.Write(index, target * 4, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan(e, 1)));
            }
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
