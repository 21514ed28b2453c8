using LoraMerge.Formats;

namespace LoraMerge.Merging;

/// <summary>
/// DoRA's <c>W' = m / ‖W + D‖ · (W + D)</c>. The norm is taken per stored row (Linear, Conv) or per stored column
/// (GPT-2 Conv1D, Embedding); it is summed in f64 in a fixed order and rounded to f32, so the result does not depend on
/// the thread count. <c>m / n</c> and the product are f32 operations, as in PEFT.
/// </summary>
internal sealed class DoraScaling
{
    private const int ColumnNormChunks = 64;
    private readonly float[] _magnitude;
    private float[]? _columnFactors;

    private DoraScaling(float[] magnitude, bool perColumn)
    {
        _magnitude = magnitude;
        PerColumn = perColumn;
    }

    public bool PerColumn { get; }

    public static DoraScaling Prepare(DoraTerm term, SafetensorsFile adapterFile, long rows, long columns)
    {
        var magnitude = FloatReader.ReadAll(adapterFile, term.Magnitude);
        long expected = term.PerColumn ? columns : rows;
        if (magnitude.Length != expected)
            throw new InvalidOperationException($"DoRA magnitude of {magnitude.Length} values for {expected} norms.");
        return new DoraScaling(magnitude, term.PerColumn);
    }

    /// <summary>First pass for per-column norms: builds every row once and accumulates squares per column.</summary>
    public void ComputeColumnNorms(long rows, int columns, Action<long, Span<float>> buildRow, int threads, CancellationToken cancellationToken)
    {
        int chunks = (int)Math.Min(ColumnNormChunks, Math.Max(1, rows));
        long rowsPerChunk = (rows + chunks - 1) / chunks;
        var partial = new double[chunks][];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, chunk =>
        {
            var sums = new double[columns];
            var row = new float[columns];
            long end = Math.Min(rows, (chunk + 1) * rowsPerChunk);
            for (long r = chunk * rowsPerChunk; r < end; r++)
            {
                buildRow(r, row);
                for (int c = 0; c < columns; c++)
                    sums[c] += (double)row[c] * row[c];
            }
            partial[chunk] = sums;
        });

        var factors = new float[columns];
        for (int c = 0; c < columns; c++)
        {
            double sum = 0;
            foreach (var p in partial)
                sum += p[c];
            factors[c] = _magnitude[c] / (float)Math.Sqrt(sum);
        }
        _columnFactors = factors;
    }

    public void Apply(long row, Span<float> values)
    {
        if (PerColumn)
        {
            LowRankKernel.ScaleColumns(values, _columnFactors ?? throw new InvalidOperationException("Column norms not computed."));
            return;
        }
        float norm = (float)Math.Sqrt(LowRankKernel.SumOfSquares(values));
        LowRankKernel.Scale(values, _magnitude[row] / norm);
    }
}
