using System.Buffers;
using LoraMerge.Formats;
using LoraMerge.Numerics;

namespace LoraMerge.Merging;

/// <summary>One adapter's change to a block of f32 rows of a tensor being merged (added delta or multiplied scale).</summary>
internal interface IRowContribution : IDisposable
{
    int AdapterIndex { get; }

    /// <param name="acc">Rows [firstRow, firstRow + count) of the tensor, count × columns, changed in place.</param>
    void Apply(Span<float> acc, long firstRow, int count, int columns);
}

/// <summary>The contributions of a job's terms in adapter order, and PEFT's rounding between them when the plan asks for it.</summary>
internal sealed class RowContributions : IDisposable
{
    private readonly IRowContribution[] _items;
    private readonly DType? _roundAfterEach;

    private RowContributions(IRowContribution[] items, DType? roundAfterEach)
    {
        _items = items;
        _roundAfterEach = roundAfterEach;
    }

    public static RowContributions Load(TensorJob job, IReadOnlyList<SafetensorsFile> adapterFiles, long rows, int columns)
    {
        var items = new List<IRowContribution>();
        try
        {
            foreach (var t in job.Terms)
                items.Add(new LowRankContribution(t.AdapterIndex, FactorMatrices.Load(t, adapterFiles[t.AdapterIndex], rows, columns),
                    t.CastsDelta ? job.Base.DType : null));
            foreach (var t in job.CombinedTerms)
                items.Add(new LowRankContribution(t.AdapterIndex, CombinedFactors.Compute(t, adapterFiles, job.Base.DType, rows, columns),
                    t.CastsDelta ? job.Base.DType : null));
            foreach (var t in job.RowTerms)
            {
                var file = adapterFiles[t.AdapterIndex];
                items.Add(t switch
                {
                    HadamardTerm h => HadamardContribution.Load(h, file),
                    KroneckerTerm k => KroneckerContribution.Load(k, file),
                    ScaleTerm s => new ScaleContribution(s.AdapterIndex, FloatReader.ReadAll(file, s.Vector), s.PerRow),
                    _ => throw new ArgumentOutOfRangeException(nameof(job)),
                });
            }
        }
        catch
        {
            foreach (var item in items)
                item.Dispose();
            throw;
        }
        // Stable: within one adapter, low-rank terms keep their place before the others.
        var ordered = items.Select((item, i) => (item, i)).OrderBy(x => x.item.AdapterIndex).ThenBy(x => x.i).Select(x => x.item).ToArray();
        return new RowContributions(ordered, job.RoundsAfterEachAdapter && job.Base.DType != DType.F32 ? job.Base.DType : null);
    }

    public void Apply(Span<float> acc, long firstRow, int count, int columns)
    {
        foreach (var item in _items)
        {
            item.Apply(acc, firstRow, count, columns);
            if (_roundAfterEach is { } dtype)
                StoredRounding.RoundInPlace(dtype, acc[..(count * columns)]);
        }
    }

    public void Dispose()
    {
        foreach (var item in _items)
            item.Dispose();
    }
}

/// <summary>Rounds f32 values to a stored dtype and back, as PyTorch's in-place update of a half-precision tensor does.</summary>
internal static class StoredRounding
{
    public static void RoundInPlace(DType dtype, Span<float> values)
    {
        if (dtype == DType.F32)
            return;
        var bytes = ArrayPool<byte>.Shared.Rent(values.Length * 2);
        try
        {
            var stored = bytes.AsSpan(0, values.Length * 2);
            FloatReader.Narrow(dtype, values, stored);
            FloatWidening.TryWiden(dtype, stored, values);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>A buffer of negative zeros: <c>-0 + x</c> is exactly <c>x</c> for every x, so a delta built on it is the bare delta.</summary>
    public static float[] RentNegativeZeros(int length)
    {
        var buffer = ArrayPool<float>.Shared.Rent(length);
        buffer.AsSpan(0, length).Fill(-0.0f);
        return buffer;
    }
}

/// <summary>LoRA's <c>s·L·R</c>, optionally with the delta rounded to the stored dtype before it is added (PEFT's <c>delta.to(dtype)</c>).</summary>
internal sealed class LowRankContribution(int adapterIndex, FactorMatrices factors, DType? castDeltaTo) : IRowContribution
{
    public int AdapterIndex => adapterIndex;

    public void Apply(Span<float> acc, long firstRow, int count, int columns)
    {
        if (castDeltaTo is not { } dtype)
        {
            LowRankKernel.AddTerm(acc, count, columns, factors.LeftRows(firstRow, count), factors.Rank, factors.Right, factors.Scale);
            return;
        }
        int length = count * columns;
        var delta = StoredRounding.RentNegativeZeros(length);
        try
        {
            LowRankKernel.AddTerm(delta, count, columns, factors.LeftRows(firstRow, count), factors.Rank, factors.Right, factors.Scale);
            var d = delta.AsSpan(0, length);
            StoredRounding.RoundInPlace(dtype, d);
            for (int i = 0; i < length; i++)
                acc[i] += d[i];
        }
        finally
        {
            ArrayPool<float>.Shared.Return(delta);
        }
    }

    public void Dispose() => factors.Dispose();
}

/// <summary>IA3: every row (or every column) multiplied by its entry of <c>ia3_l</c>, one f32 multiply.</summary>
internal sealed class ScaleContribution(int adapterIndex, float[] vector, bool perRow) : IRowContribution
{
    public int AdapterIndex => adapterIndex;

    public void Apply(Span<float> acc, long firstRow, int count, int columns)
    {
        for (int i = 0; i < count; i++)
        {
            var row = acc.Slice(i * columns, columns);
            if (perRow)
            {
                float l = vector[firstRow + i];
                for (int c = 0; c < columns; c++)
                    row[c] *= l;
            }
            else
            {
                for (int c = 0; c < columns; c++)
                    row[c] *= vector[c];
            }
        }
    }

    public void Dispose()
    {
    }
}
