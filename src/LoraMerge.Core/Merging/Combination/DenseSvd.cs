namespace LoraMerge.Merging;

/// <summary>
/// Double-precision dense linear algebra for the <c>_svd</c> combinations: a Householder QR and a one-sided
/// (Hestenes) Jacobi SVD. Matrices are row-major <c>double[]</c>. Singular vectors are determined up to sign (and
/// rotation within equal singular values); only products <c>U·S·Vᵀ</c> are used.
/// </summary>
internal static class DenseSvd
{
    /// <summary>Thin QR of an m×n matrix with m ≥ n: Q (m×n, orthonormal columns) and R (n×n, upper triangular).</summary>
    public static (double[] Q, double[] R) HouseholderQr(double[] a, int m, int n)
    {
        if (m < n)
            throw new ArgumentException("QR needs at least as many rows as columns.");
        var work = (double[])a.Clone();
        var vs = new double[n][];
        for (int k = 0; k < n; k++)
        {
            double norm = 0;
            for (int i = k; i < m; i++)
                norm += work[i * n + k] * work[i * n + k];
            norm = Math.Sqrt(norm);
            var v = new double[m - k];
            vs[k] = v;
            if (norm == 0)
                continue;
            double alpha = work[k * n + k] >= 0 ? -norm : norm;
            for (int i = k; i < m; i++)
                v[i - k] = work[i * n + k];
            v[0] -= alpha;
            double vnorm = 0;
            foreach (double x in v)
                vnorm += x * x;
            vnorm = Math.Sqrt(vnorm);
            if (vnorm == 0)
                continue;
            for (int i = 0; i < v.Length; i++)
                v[i] /= vnorm;
            for (int j = k; j < n; j++)
            {
                double dot = 0;
                for (int i = k; i < m; i++)
                    dot += v[i - k] * work[i * n + j];
                for (int i = k; i < m; i++)
                    work[i * n + j] -= 2 * v[i - k] * dot;
            }
        }
        var r = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
                r[i * n + j] = work[i * n + j];
        // Q = H_0 … H_{n-1} applied to the first n columns of the identity.
        var q = new double[m * n];
        for (int i = 0; i < n; i++)
            q[i * n + i] = 1;
        for (int k = n - 1; k >= 0; k--)
        {
            var v = vs[k];
            for (int j = 0; j < n; j++)
            {
                double dot = 0;
                for (int i = k; i < m; i++)
                    dot += v[i - k] * q[i * n + j];
                if (dot == 0)
                    continue;
                for (int i = k; i < m; i++)
                    q[i * n + j] -= 2 * v[i - k] * dot;
            }
        }
        return (q, r);
    }

    /// <summary>
    /// SVD of an m×n matrix: U (m×k), S (k, descending), V (n×k), k = min(m, n), with <c>a = U·diag(S)·Vᵀ</c>.
    /// </summary>
    public static (double[] U, double[] S, double[] V, int K) Decompose(double[] a, int m, int n)
    {
        if (m < n)
        {
            var (u, s, v, k) = Decompose(Transpose(a, m, n), n, m);
            return (v, s, u, k);
        }
        // Columns of the working matrix (m ≥ n), rotated until pairwise orthogonal; V accumulates the rotations.
        var cols = new double[n][];
        var vcols = new double[n][];
        for (int j = 0; j < n; j++)
        {
            cols[j] = new double[m];
            for (int i = 0; i < m; i++)
                cols[j][i] = a[i * n + j];
            vcols[j] = new double[n];
            vcols[j][j] = 1;
        }
        const double Epsilon = 1e-15;
        for (int sweep = 0; sweep < 80; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double alpha = 0, beta = 0, gamma = 0;
                    var cp = cols[p];
                    var cq = cols[q];
                    for (int i = 0; i < m; i++)
                    {
                        alpha += cp[i] * cp[i];
                        beta += cq[i] * cq[i];
                        gamma += cp[i] * cq[i];
                    }
                    if (gamma == 0 || Math.Abs(gamma) <= Epsilon * Math.Sqrt(alpha * beta))
                        continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                    double c = 1 / Math.Sqrt(1 + t * t);
                    double s = c * t;
                    Rotate(cp, cq, c, s);
                    Rotate(vcols[p], vcols[q], c, s);
                }
            if (!rotated)
                break;
        }
        var sigma = new double[n];
        for (int j = 0; j < n; j++)
        {
            double norm = 0;
            foreach (double x in cols[j])
                norm += x * x;
            sigma[j] = Math.Sqrt(norm);
        }
        var order = Enumerable.Range(0, n).OrderByDescending(j => sigma[j]).ThenBy(j => j).ToArray();
        var uOut = new double[m * n];
        var sOut = new double[n];
        var vOut = new double[n * n];
        for (int k = 0; k < n; k++)
        {
            int j = order[k];
            sOut[k] = sigma[j];
            for (int i = 0; i < m; i++)
                uOut[i * n + k] = sigma[j] == 0 ? 0 : cols[j][i] / sigma[j];
            for (int i = 0; i < n; i++)
                vOut[i * n + k] = vcols[j][i];
        }
        return (uOut, sOut, vOut, n);
    }

    public static double[] Transpose(double[] a, int m, int n)
    {
        var t = new double[a.Length];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                t[j * m + i] = a[i * n + j];
        return t;
    }

    /// <summary>(m×k)·(k×n).</summary>
    public static double[] Multiply(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int l = 0; l < k; l++)
            {
                double x = a[i * k + l];
                if (x == 0)
                    continue;
                for (int j = 0; j < n; j++)
                    c[i * n + j] += x * b[l * n + j];
            }
        return c;
    }

    private static void Rotate(double[] x, double[] y, double c, double s)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x[i], yi = y[i];
            x[i] = c * xi - s * yi;
            y[i] = s * xi + c * yi;
        }
    }
}
