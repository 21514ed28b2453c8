using System.Buffers;
using LoraMerge.Formats;

namespace LoraMerge.Merging;

/// <summary>
/// LoHa: <c>acc += ((W1a·W1b) ⊙ (W2a·W2b))·s</c> as PEFT's <c>HadaWeight</c> computes it: each product in LoRA's
/// product order (<see cref="LowRankKernel"/>), then the f32 Hadamard product, then the f32 multiply by s.
/// </summary>
internal sealed class HadamardContribution : IRowContribution
{
    private readonly float[] _w1a, _w1b, _w2a, _w2b;
    private readonly int _rank;
    private readonly float _scale;

    private HadamardContribution(int adapterIndex, float[] w1a, float[] w1b, float[] w2a, float[] w2b, int rank, float scale)
    {
        AdapterIndex = adapterIndex;
        (_w1a, _w1b, _w2a, _w2b, _rank, _scale) = (w1a, w1b, w2a, w2b, rank, scale);
    }

    public int AdapterIndex { get; }

    public static HadamardContribution Load(HadamardTerm term, SafetensorsFile file) =>
        new(term.AdapterIndex, FloatReader.ReadAll(file, term.W1A), FloatReader.ReadAll(file, term.W1B),
            FloatReader.ReadAll(file, term.W2A), FloatReader.ReadAll(file, term.W2B), checked((int)term.W1A.Shape[1]), term.Scale);

    public void Apply(Span<float> acc, long firstRow, int count, int columns)
    {
        int length = count * columns;
        var p1 = StoredRounding.RentNegativeZeros(length);
        var p2 = StoredRounding.RentNegativeZeros(length);
        try
        {
            int first = checked((int)(firstRow * _rank));
            LowRankKernel.AddTerm(p1, count, columns, _w1a.AsSpan(first, count * _rank), _rank, _w1b, 1f);
            LowRankKernel.AddTerm(p2, count, columns, _w2a.AsSpan(first, count * _rank), _rank, _w2b, 1f);
            for (int i = 0; i < length; i++)
            {
                float hadamard = p1[i] * p2[i];
                acc[i] += hadamard * _scale;
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(p1);
            ArrayPool<float>.Shared.Return(p2);
        }
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// LoKr: <c>acc += kron(W1, W2)·s</c> as PEFT's <c>make_kron</c> computes it: each element one f32 product
/// <c>W1[i,j]·W2[k,l]</c>, then the f32 multiply by s. A factor stored as a low-rank pair is first multiplied out in
/// LoRA's product order.
/// </summary>
internal sealed class KroneckerContribution : IRowContribution
{
    private readonly float[] _w1, _w2;
    private readonly int _w1Columns, _w2Rows, _w2Columns;
    private readonly float _scale;

    private KroneckerContribution(int adapterIndex, float[] w1, int w1Columns, float[] w2, int w2Rows, int w2Columns, float scale)
    {
        AdapterIndex = adapterIndex;
        (_w1, _w1Columns, _w2, _w2Rows, _w2Columns, _scale) = (w1, w1Columns, w2, w2Rows, w2Columns, scale);
    }

    public int AdapterIndex { get; }

    public static KroneckerContribution Load(KroneckerTerm term, SafetensorsFile file) =>
        new(term.AdapterIndex, Dense(term.W1, file), checked((int)term.W1.Columns),
            Dense(term.W2, file), checked((int)term.W2.Rows), checked((int)term.W2.Columns), term.Scale);

    private static float[] Dense(KroneckerFactor factor, SafetensorsFile file)
    {
        if (factor.Full is { } full)
            return FloatReader.ReadAll(file, full);
        var left = FloatReader.ReadAll(file, factor.Left!);
        var right = FloatReader.ReadAll(file, factor.Right!);
        int rows = checked((int)factor.Rows), columns = checked((int)factor.Columns), rank = checked((int)factor.Left!.Shape[1]);
        var product = new float[rows * columns];
        product.AsSpan().Fill(-0.0f);
        LowRankKernel.AddTerm(product, rows, columns, left, rank, right, 1f);
        return product;
    }

    public void Apply(Span<float> acc, long firstRow, int count, int columns)
    {
        for (int r = 0; r < count; r++)
        {
            long p = firstRow + r;
            int w1Row = (int)(p / _w2Rows) * _w1Columns;
            int w2Row = (int)(p % _w2Rows) * _w2Columns;
            var row = acc.Slice(r * columns, columns);
            for (int j = 0, q = 0; j < _w1Columns; j++)
            {
                float a = _w1[w1Row + j];
                for (int l = 0; l < _w2Columns; l++, q++)
                {
                    float kron = a * _w2[w2Row + l];
                    row[q] += kron * _scale;
                }
            }
        }
    }

    public void Dispose()
    {
    }
}
