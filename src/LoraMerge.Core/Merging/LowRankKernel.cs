using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LoraMerge.Merging;

/// <summary>
/// The arithmetic of one merged row, in PyTorch's CPU order: <c>dot = dot + L[p,k]·R[k,c]</c> sequentially over the
/// rank with the product and the sum each rounded to f32 (no fused multiply-add: PyTorch's reference BLAS path, checked
/// bit for bit against torch's f32 matmul), then <c>d = dot·s</c>, then <c>acc = acc + d</c>. Lanes are independent
/// columns, so the vector and scalar paths give identical bits.
/// </summary>
internal static unsafe class LowRankKernel
{
    /// <summary>Adds <c>s·L·R</c> to a block of stored rows.</summary>
    /// <param name="accumulator">rows × columns, row-major, f32; the term is added in place.</param>
    /// <param name="left">L for these rows: rows × rank.</param>
    /// <param name="right">R: rank × columns.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddTerm(Span<float> accumulator, int rows, int columns, ReadOnlySpan<float> left, int rank, ReadOnlySpan<float> right, float scale)
    {
        if (accumulator.Length < checked(rows * columns) || left.Length < checked(rows * rank) || right.Length != checked(rank * columns))
            throw new ArgumentException("Factor shapes do not match the block.");
        fixed (float* acc = accumulator, l = left, r = right)
        {
            int p = 0;
            for (; p + 4 <= rows; p += 4)
                AddFourRows(acc + (long)p * columns, l + (long)p * rank, r, columns, rank, scale);
            for (; p < rows; p++)
                AddOneRow(acc + (long)p * columns, l + (long)p * rank, r, columns, rank, scale);
        }
    }

    // Four rows share each load of R: 8 independent accumulators, R read once per four rows. The widest vectors the
    // core runs natively take the columns first; lanes are independent, so every width gives the same bits.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddFourRows(float* acc, float* left, float* right, int columns, int rank, float scale)
    {
        int c = 0;
        if (Vector512.IsHardwareAccelerated)
            c = AddFourRows<Width512, Vector512<float>>(acc, left, right, columns, rank, scale, c);
        if (Vector256.IsHardwareAccelerated)
            c = AddFourRows<Width256, Vector256<float>>(acc, left, right, columns, rank, scale, c);
        for (int row = 0; row < 4 && c < columns; row++)
            AddColumns(acc + (long)row * columns, left + row * rank, right, columns, rank, scale, c);
    }

    /// <summary>Columns [from, …) in steps of two vectors of <typeparamref name="TWidth"/>; returns where it stopped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int AddFourRows<TWidth, TVector>(float* acc, float* left, float* right, int columns, int rank, float scale, int from)
        where TWidth : struct, IWidth<TVector>
        where TVector : struct
    {
        int lanes = TWidth.Lanes;
        var s = TWidth.Broadcast(scale);
        float* acc1 = acc + columns, acc2 = acc1 + columns, acc3 = acc2 + columns;
        float* left1 = left + rank, left2 = left1 + rank, left3 = left2 + rank;
        int c = from;
        for (; c + 2 * lanes <= columns; c += 2 * lanes)
        {
            TVector d00 = default, d01 = default, d10 = default, d11 = default;
            TVector d20 = default, d21 = default, d30 = default, d31 = default;
            float* rk = right + c;
            for (int k = 0; k < rank; k++, rk += columns)
            {
                var r0 = TWidth.Load(rk);
                var r1 = TWidth.Load(rk + lanes);
                var l0 = TWidth.Broadcast(left[k]);
                var l1 = TWidth.Broadcast(left1[k]);
                var l2 = TWidth.Broadcast(left2[k]);
                var l3 = TWidth.Broadcast(left3[k]);
                d00 = TWidth.AddProduct(d00, l0, r0); d01 = TWidth.AddProduct(d01, l0, r1);
                d10 = TWidth.AddProduct(d10, l1, r0); d11 = TWidth.AddProduct(d11, l1, r1);
                d20 = TWidth.AddProduct(d20, l2, r0); d21 = TWidth.AddProduct(d21, l2, r1);
                d30 = TWidth.AddProduct(d30, l3, r0); d31 = TWidth.AddProduct(d31, l3, r1);
            }
            TWidth.AddScaled(acc + c, d00, d01, s);
            TWidth.AddScaled(acc1 + c, d10, d11, s);
            TWidth.AddScaled(acc2 + c, d20, d21, s);
            TWidth.AddScaled(acc3 + c, d30, d31, s);
        }
        return c;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddOneRow(float* acc, float* left, float* right, int columns, int rank, float scale)
    {
        int c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale);
            for (; c + 16 <= columns; c += 16)
            {
                Vector256<float> d0 = default, d1 = default;
                float* rk = right + c;
                for (int k = 0; k < rank; k++, rk += columns)
                {
                    var l = Vector256.Create(left[k]);
                    d0 += l * Vector256.Load(rk);
                    d1 += l * Vector256.Load(rk + 8);
                }
                Width256.AddScaled(acc + c, d0, d1, s);
            }
        }
        AddColumns(acc, left, right, columns, rank, scale, c);
    }

    // Scalar columns [from, columns): the same operations, one lane at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddColumns(float* acc, float* left, float* right, int columns, int rank, float scale, int from)
    {
        for (int c = from; c < columns; c++)
        {
            float dot = 0f;
            for (int k = 0; k < rank; k++)
                dot += left[k] * right[(long)k * columns + c];
            acc[c] += dot * scale;
        }
    }

    /// <summary>Multiplies each element by its column factor (DoRA per-column rescale).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaleColumns(Span<float> row, ReadOnlySpan<float> factors)
    {
        int c = 0;
        for (; c + 8 <= row.Length; c += 8)
            (Vector256.Create((ReadOnlySpan<float>)row.Slice(c, 8)) * Vector256.Create(factors.Slice(c, 8))).CopyTo(row.Slice(c, 8));
        for (; c < row.Length; c++)
            row[c] *= factors[c];
    }

    /// <summary>Multiplies every element by one factor (DoRA per-row rescale).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(Span<float> row, float factor)
    {
        int c = 0;
        var f = Vector256.Create(factor);
        for (; c + 8 <= row.Length; c += 8)
            (Vector256.Create((ReadOnlySpan<float>)row.Slice(c, 8)) * f).CopyTo(row.Slice(c, 8));
        for (; c < row.Length; c++)
            row[c] *= factor;
    }

    /// <summary>Sum of squares in f64, sequential (deterministic).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumOfSquares(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (var v in values)
            sum += (double)v * v;
        return sum;
    }

    /// <summary>
    /// One vector width's operations, so that one kernel body serves every width (the JIT compiles it once per width,
    /// with these inlined). The product and the sum are separate operations: no fused multiply-add.
    /// </summary>
    private interface IWidth<TVector> where TVector : struct
    {
        static abstract int Lanes { get; }
        static abstract TVector Load(float* source);
        static abstract TVector Broadcast(float value);
        static abstract TVector AddProduct(TVector sum, TVector a, TVector b);

        /// <summary><c>acc[i] = acc[i] + d[i]·s</c> for two vectors' worth of columns.</summary>
        static abstract void AddScaled(float* acc, TVector d0, TVector d1, TVector s);
    }

    private readonly struct Width256 : IWidth<Vector256<float>>
    {
        public static int Lanes => Vector256<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(float* source) => Vector256.Load(source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> AddProduct(Vector256<float> sum, Vector256<float> a, Vector256<float> b) => sum + a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void AddScaled(float* acc, Vector256<float> d0, Vector256<float> d1, Vector256<float> s)
        {
            (Vector256.Load(acc) + d0 * s).Store(acc);
            (Vector256.Load(acc + Lanes) + d1 * s).Store(acc + Lanes);
        }
    }

    private readonly struct Width512 : IWidth<Vector512<float>>
    {
        public static int Lanes => Vector512<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(float* source) => Vector512.Load(source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> AddProduct(Vector512<float> sum, Vector512<float> a, Vector512<float> b) => sum + a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void AddScaled(float* acc, Vector512<float> d0, Vector512<float> d1, Vector512<float> s)
        {
            (Vector512.Load(acc) + d0 * s).Store(acc);
            (Vector512.Load(acc + Lanes) + d1 * s).Store(acc + Lanes);
        }
    }
}
