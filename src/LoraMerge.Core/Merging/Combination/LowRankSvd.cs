namespace LoraMerge.Merging;

/// <summary>
/// The truncated SVD the <c>_svd</c> combinations need, without an SVD of a full out×in matrix where the delta has
/// low rank: for <c>ΔW = L·R</c> (rank ≤ K), <c>L = Q_L·R_L</c> and <c>Rᵀ = Q_R·R_R</c> (Householder, double), the
/// small core <c>R_L·R_Rᵀ = U·S·Vᵀ</c> (Jacobi), so <c>ΔW = (Q_L·U)·S·(Q_R·V)ᵀ</c>, kept to the first
/// <c>rank</c> singular values. The result is the pair PEFT builds from <c>torch.linalg.svd</c>: L' = U·diag(S) and R' = Vh.
/// </summary>
internal static class LowRankSvd
{
    /// <summary>The truncated factors of <c>left·right</c> (rows×k times k×columns) as f32.</summary>
    public static (float[] Left, float[] Right, int Rank) OfProduct(double[] left, double[] right, int rows, int k, int columns, int rank)
    {
        var (qLeft, rLeft, p) = Reduce(left, rows, k);                                   // left = qLeft·rLeft, rLeft p×k
        var (qRight, rRight, q) = Reduce(DenseSvd.Transpose(right, k, columns), columns, k); // rightᵀ = qRight·rRight, q×k
        var core = DenseSvd.Multiply(rLeft, DenseSvd.Transpose(rRight, q, k), p, k, q);    // p×q
        var (u, s, v, kept) = DenseSvd.Decompose(core, p, q);
        int r = Math.Min(rank, kept);
        var uTop = TakeColumns(u, p, kept, r);
        var vTop = TakeColumns(v, q, kept, r);
        for (int i = 0; i < p; i++)
            for (int j = 0; j < r; j++)
                uTop[i * r + j] *= s[j];
        var newLeft = qLeft is null ? uTop : DenseSvd.Multiply(qLeft, uTop, rows, p, r);
        var newRightT = qRight is null ? vTop : DenseSvd.Multiply(qRight, vTop, columns, q, r);
        return (ToFloat(newLeft), ToFloat(DenseSvd.Transpose(newRightT, columns, r)), r);
    }

    /// <summary>The truncated factors of a full rows×columns matrix (the pruned deltas of ties_svd, dare_*_svd, magnitude_prune_svd).</summary>
    public static (float[] Left, float[] Right, int Rank) OfMatrix(float[] matrix, int rows, int columns, int rank)
    {
        var a = new double[matrix.Length];
        for (int i = 0; i < a.Length; i++)
            a[i] = matrix[i];
        var (u, s, v, kept) = DenseSvd.Decompose(a, rows, columns);
        int r = Math.Min(rank, kept);
        var uTop = TakeColumns(u, rows, kept, r);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < r; j++)
                uTop[i * r + j] *= s[j];
        return (ToFloat(uTop), ToFloat(DenseSvd.Transpose(TakeColumns(v, columns, kept, r), columns, r)), r);
    }

    /// <summary>QR of an m×k matrix when m &gt; k; otherwise no Q (the identity) and R the matrix itself.</summary>
    private static (double[]? Q, double[] R, int Rows) Reduce(double[] a, int m, int k)
    {
        if (m <= k)
            return (null, a, m);
        var (q, r) = DenseSvd.HouseholderQr(a, m, k);
        return (q, r, k);
    }

    private static double[] TakeColumns(double[] a, int rows, int columns, int take)
    {
        var result = new double[rows * take];
        for (int i = 0; i < rows; i++)
            Array.Copy(a, i * columns, result, i * take, take);
        return result;
    }

    private static float[] ToFloat(double[] values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
            result[i] = (float)values[i];
        return result;
    }
}
