namespace LoraMerge.Merging;

/// <summary>
/// PEFT's <c>merge_utils</c> on equally shaped f32 tensors (the A factors, the B factors, or the full deltas of the
/// <c>_svd</c> types): prune each tensor, then a weighted sum or TIES's sign election and disjoint mean, every step in
/// f32 with torch's rounding (docs/merge-semantics.md).
/// </summary>
internal static class TensorCombiner
{
    /// <param name="tensors">One tensor per adapter, pruned in place.</param>
    /// <param name="weights">The f32 weight of each tensor.</param>
    /// <param name="streams">DARE's generator for each tensor (random pruning only).</param>
    public static float[] Combine(CombinationType type, float[][] tensors, float[] weights, double? density,
        MajoritySignMethod sign, Func<int, DareStream> streams)
    {
        var pruning = CombinationTypes.PruningOf(type);
        for (int i = 0; i < tensors.Length; i++)
        {
            if (pruning == Pruning.Magnitude)
                PruneByMagnitude(tensors[i], density!.Value);
            else if (pruning == Pruning.Random)
                PruneRandomly(tensors[i], density!.Value, streams(i));
        }
        return CombinationTypes.ElectsSign(type) ? DisjointMerge(tensors, weights, sign) : WeightedSum(tensors, weights);
    }

    /// <summary><c>Σ_i t_i·w_i</c>, summed from +0 in adapter order.</summary>
    public static float[] WeightedSum(float[][] tensors, float[] weights)
    {
        var result = new float[tensors[0].Length];
        for (int i = 0; i < tensors.Length; i++)
        {
            var t = tensors[i];
            float w = weights[i];
            for (int j = 0; j < result.Length; j++)
                result[j] += t[j] * w;
        }
        return result;
    }

    /// <summary>
    /// PEFT's <c>magnitude_based_pruning</c>: keeps the <c>int(density·n)</c> values of largest magnitude and multiplies
    /// the others by 0 (a pruned negative value becomes -0, as torch's <c>t * mask</c>). Where values of equal magnitude
    /// straddle the cut (torch.topk leaves the choice open), those of lower flat index are kept; +0 and -0 are equal,
    /// NaN counts as larger than every number (as in topk) and NaNs are equal to each other. Nothing is pruned for
    /// density ≥ 1.
    /// </summary>
    public static void PruneByMagnitude(float[] tensor, double density)
    {
        if (density >= 1)
            return;
        long keep = (long)(density * tensor.Length);
        var order = new int[tensor.Length];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        var keys = new float[tensor.Length];
        for (int i = 0; i < keys.Length; i++)
            keys[i] = -MathF.Abs(tensor[i]);
        Array.Sort(keys, order);
        // Array.Sort is not stable: restore index order within runs of equal magnitude at the cut.
        var kept = new bool[tensor.Length];
        if (keep > 0)
        {
            float cut = keys[keep - 1];
            int firstOfCut = Array.IndexOf(keys, cut);
            for (int i = 0; i < firstOfCut; i++)
                kept[order[i]] = true;
            var tied = new List<int>();
            for (int i = firstOfCut; i < keys.Length && keys[i].Equals(cut); i++)
                tied.Add(order[i]);
            tied.Sort();
            for (int i = 0; i < keep - firstOfCut; i++)
                kept[tied[i]] = true;
        }
        for (int i = 0; i < tensor.Length; i++)
            if (!kept[i])
                tensor[i] *= 0f;
    }

    /// <summary>PEFT's <c>random_pruning(rescale=True)</c>: <c>(t·mask)/density</c> with DARE's stream as the mask.</summary>
    public static void PruneRandomly(float[] tensor, double density, DareStream stream)
    {
        if (density >= 1)
            return;
        float d = (float)density;
        for (int i = 0; i < tensor.Length; i++)
        {
            float mask = stream.NextUniform() < density ? 1f : 0f;
            tensor[i] = tensor[i] * mask / d;
        }
    }

    /// <summary>
    /// TIES: the majority sign of each element (<c>total</c>: of the sum of the pruned values; <c>frequency</c>: of the
    /// sum of their signs; ≥ 0 elects +), then the mean of the weighted values that have it.
    /// </summary>
    public static float[] DisjointMerge(float[][] tensors, float[] weights, MajoritySignMethod method)
    {
        var result = new float[tensors[0].Length];
        for (int j = 0; j < result.Length; j++)
        {
            float magnitude = 0f;
            for (int i = 0; i < tensors.Length; i++)
                magnitude += method == MajoritySignMethod.Total ? tensors[i][j] : Sign(tensors[i][j]);
            float majority = magnitude >= 0 ? 1f : -1f;
            float sum = 0f;
            long count = 0;
            for (int i = 0; i < tensors.Length; i++)
            {
                float t = tensors[i][j];
                bool agrees = Sign(t) == majority;
                sum += t * weights[i] * (agrees ? 1f : 0f);
                if (agrees)
                    count++;
            }
            result[j] = sum / Math.Max(count, 1);
        }
        return result;
    }

    private static float Sign(float x) => x > 0 ? 1f : x < 0 ? -1f : 0f;
}
