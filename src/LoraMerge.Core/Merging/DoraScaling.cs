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
    private const int RowsPerBlock = 16;
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

    /// <summary>
    /// First pass for per-column norms: builds every row once (<paramref name="buildRows"/> fills rows
    /// [first, first + count) into the array) and accumulates squares per column.
    /// </summary>
    public void ComputeColumnNorms(long rows, int columns, Action<long, int, float[]> buildRows, int threads, CancellationToken cancellationToken)
    {
        int chunks = (int)Math.Min(ColumnNormChunks, Math.Max(1, rows));
        long rowsPerChunk = (rows + chunks - 1) / chunks;
        var partial = new double[chunks][];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, chunk =>
        {
            var sums = new double[columns];
            var block = new float[RowsPerBlock * columns];
            long end = Math.Min(rows, (chunk + 1) * rowsPerChunk);
            for (long first = chunk * rowsPerChunk; first < end; first += RowsPerBlock)
            {
                int count = (int)Math.Min(RowsPerBlock, end - first);
                buildRows(first, count, block);
                for (int i = 0; i < count; i++)
                    for (int c = 0; c < columns; c++)
                        sums[c] += (double)block[i * columns + c] * block[i * columns + c];
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
