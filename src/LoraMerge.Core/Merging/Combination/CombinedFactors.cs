using LoraMerge.Formats;

namespace LoraMerge.Merging;

/// <summary>
/// Computes a <see cref="CombinedTerm"/>'s factors for one tensor in the run, as PEFT's <c>add_weighted_adapter</c>
/// builds the combined adapter (docs/merge-semantics.md, "Combining adapters"), laid out as L and R for the kernel.
/// Memory: the inputs' factors, and for the pruned <c>_svd</c> types one f32 delta per adapter plus a double copy.
/// </summary>
internal static class CombinedFactors
{
    public static FactorMatrices Compute(CombinedTerm term, IReadOnlyList<SafetensorsFile> adapterFiles, DType baseDType, long rows, int columns)
    {
        int storedRows = checked((int)rows);
        if (CombinationTypes.IsSvd(term.Type))
        {
            var (left, right, rank) = term.Type == CombinationType.Svd
                ? SvdOfSum(term, adapterFiles, storedRows, columns)
                : SvdOfPrunedDeltas(term, adapterFiles, storedRows, columns);
            return FactorMatrices.FromFactors(left, right, rank, term.Scale);
        }

        var inputs = term.Inputs.Select(i => (A: FloatReader.ReadAll(adapterFiles[i.AdapterIndex], i.A), B: FloatReader.ReadAll(adapterFiles[i.AdapterIndex], i.B), Input: i)).ToArray();
        float[] a, b;
        int newRank;
        if (term.Type == CombinationType.Cat)
        {
            // A_i·w·s rounded twice in f32 (two scalar multiplies), stacked; B_i side by side, in adapter order.
            newRank = term.Inputs.Sum(i => i.Rank);
            int aColumns = inputs[0].A.Length / inputs[0].Input.Rank;
            int bRows = inputs[0].B.Length / inputs[0].Input.Rank;
            a = new float[newRank * aColumns];
            b = new float[bRows * newRank];
            int offset = 0;
            foreach (var (ai, bi, input) in inputs)
            {
                float w = (float)input.Weight, s = (float)input.Scaling;
                for (int j = 0; j < ai.Length; j++)
                    a[offset * aColumns + j] = ai[j] * w * s;
                for (int row = 0; row < bRows; row++)
                    for (int k = 0; k < input.Rank; k++)
                        b[row * newRank + offset + k] = bi[row * input.Rank + k];
                offset += input.Rank;
            }
            if (term.RoundsFactors)
            {
                StoredRounding.RoundInPlace(baseDType, a);
                StoredRounding.RoundInPlace(baseDType, b);
            }
        }
        else
        {
            // A and B combined separately with sqrt(|w·s|) each, the sign of w·s on A only.
            newRank = term.Inputs[0].Rank;
            var weightsA = term.Inputs.Select(i => (float)(Math.Sqrt(Math.Abs(i.Weight * i.Scaling)) * (i.Weight * i.Scaling >= 0 ? 1 : -1))).ToArray();
            var weightsB = term.Inputs.Select(i => (float)Math.Sqrt(Math.Abs(i.Weight * i.Scaling))).ToArray();
            a = TensorCombiner.Combine(term.Type, inputs.Select(x => x.A).ToArray(), weightsA, term.Options.Density, term.Options.MajoritySign,
                n => new DareStream(term.Options.Seed, term.ModuleKey, term.Inputs[n].AdapterIndex, "lora_A"));
            b = TensorCombiner.Combine(term.Type, inputs.Select(x => x.B).ToArray(), weightsB, term.Options.Density, term.Options.MajoritySign,
                n => new DareStream(term.Options.Seed, term.ModuleKey, term.Inputs[n].AdapterIndex, "lora_B"));
        }
        var (l, r) = Orient(term.Orientation, a, b, newRank);
        return FactorMatrices.FromFactors(l, r, newRank, term.Scale);
    }

    /// <summary>
    /// <c>svd</c>: PEFT's delta is <c>Σ (w_i·s_i)·(s_i·B_i·A_i)</c> (its get_delta_weight already carries the scaling), a
    /// matrix of rank ≤ Σ r_i, so the factors are stacked and only the small core is decomposed.
    /// </summary>
    private static (float[], float[], int) SvdOfSum(CombinedTerm term, IReadOnlyList<SafetensorsFile> files, int rows, int columns)
    {
        int k = term.Inputs.Sum(i => i.Rank);
        var left = new double[(long)rows * k];
        var right = new double[(long)k * columns];
        int offset = 0;
        foreach (var input in term.Inputs)
        {
            var (l, r) = Orient(term.Orientation, FloatReader.ReadAll(files[input.AdapterIndex], input.A), FloatReader.ReadAll(files[input.AdapterIndex], input.B), input.Rank);
            double c = (double)(float)(input.Weight * input.Scaling) * (float)input.Scaling;
            for (int row = 0; row < rows; row++)
                for (int j = 0; j < input.Rank; j++)
                    left[row * k + offset + j] = l[row * input.Rank + j] * c;
            for (int j = 0; j < input.Rank; j++)
                for (int col = 0; col < columns; col++)
                    right[(offset + j) * columns + col] = r[j * columns + col];
            offset += input.Rank;
        }
        return LowRankSvd.OfProduct(left, right, rows, k, columns, term.NewRank);
    }

    /// <summary>ties_svd, dare_*_svd, magnitude_prune_svd: prune and combine the full f32 deltas, then decompose the result.</summary>
    private static (float[], float[], int) SvdOfPrunedDeltas(CombinedTerm term, IReadOnlyList<SafetensorsFile> files, int rows, int columns)
    {
        var deltas = new float[term.Inputs.Count][];
        for (int n = 0; n < deltas.Length; n++)
        {
            var input = term.Inputs[n];
            var (l, r) = Orient(term.Orientation, FloatReader.ReadAll(files[input.AdapterIndex], input.A), FloatReader.ReadAll(files[input.AdapterIndex], input.B), input.Rank);
            // (B·A)·s in PEFT's f32 order; a buffer of -0 makes the added delta the bare delta.
            var delta = new float[(long)rows * columns];
            delta.AsSpan().Fill(-0.0f);
            LowRankKernel.AddTerm(delta, rows, columns, l, input.Rank, r, (float)input.Scaling);
            deltas[n] = delta;
        }
        var weights = term.Inputs.Select(i => (float)(i.Weight * i.Scaling)).ToArray();
        var combined = TensorCombiner.Combine(term.Type, deltas, weights, term.Options.Density, term.Options.MajoritySign,
            n => new DareStream(term.Options.Seed, term.ModuleKey, term.Inputs[n].AdapterIndex, "delta"));
        return LowRankSvd.OfMatrix(combined, rows, columns, term.NewRank);
    }

    /// <summary>A (r×a) and B (b×r) as stored, to L and R over the stored weight (see <see cref="FactorOrientation"/>).</summary>
    private static (float[] Left, float[] Right) Orient(FactorOrientation orientation, float[] a, float[] b, int rank)
    {
        if (orientation == FactorOrientation.Direct)
            return (b, a);
        return (Transpose(a, rank, a.Length / rank), Transpose(b, b.Length / rank, rank));
    }

    private static float[] Transpose(float[] source, int rows, int columns)
    {
        var result = new float[source.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                result[j * rows + i] = source[i * columns + j];
        return result;
    }
}
