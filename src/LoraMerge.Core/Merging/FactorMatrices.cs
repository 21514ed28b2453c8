using LoraMerge.Formats;

namespace LoraMerge.Merging;

/// <summary>A low-rank term widened to f32 and laid out as L (rows×r) and R (r×columns) for <see cref="LowRankKernel"/>.</summary>
internal sealed class FactorMatrices
{
    private FactorMatrices(float[] left, float[] right, int rank, float scale)
    {
        Left = left;
        Right = right;
        Rank = rank;
        Scale = scale;
    }

    public float[] Left { get; }
    public float[] Right { get; }
    public int Rank { get; }
    public float Scale { get; }

    /// <summary>L's rows for stored rows [firstRow, firstRow + count).</summary>
    public ReadOnlySpan<float> LeftRows(long firstRow, int count) => Left.AsSpan(checked((int)(firstRow * Rank)), count * Rank);

    public static FactorMatrices Load(LowRankTerm term, SafetensorsFile adapterFile, long rows, long columns)
    {
        switch (term.Orientation)
        {
            case FactorOrientation.Bias:
                return new FactorMatrices([1f], FloatReader.ReadAll(adapterFile, term.A), 1, term.Scale);
            case FactorOrientation.Direct:
            {
                // lora_B (out×r…) is L as stored; lora_A (r×in…) is R as stored.
                var left = FloatReader.ReadAll(adapterFile, term.B);
                var right = FloatReader.ReadAll(adapterFile, term.A);
                return new FactorMatrices(left, right, checked((int)(right.Length / columns)), term.Scale);
            }
            case FactorOrientation.Transposed:
            {
                // Stored rows index A's columns and stored columns index B's rows: L = Aᵀ, R = Bᵀ.
                var a = FloatReader.ReadAll(adapterFile, term.A);
                var b = FloatReader.ReadAll(adapterFile, term.B);
                int rank = checked((int)(a.Length / rows));
                return new FactorMatrices(Transpose(a, rank, (int)rows), Transpose(b, (int)columns, rank), rank, term.Scale);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(term));
        }
    }

    private static float[] Transpose(float[] source, int sourceRows, int sourceColumns)
    {
        var result = new float[source.Length];
        for (int i = 0; i < sourceRows; i++)
            for (int j = 0; j < sourceColumns; j++)
                result[j * sourceRows + i] = source[i * sourceColumns + j];
        return result;
    }
}
