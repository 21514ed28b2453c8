using LoraMerge.Formats;
using LoraMerge.Peft;

namespace LoraMerge.Merging;

/// <summary>
/// How a low-rank term's factors are laid out against the stored weight. The engine always computes row <c>p</c> of
/// the delta as <c>Σ_k L[p,k]·R[k,:]</c> over the weight's stored rows.
/// </summary>
internal enum FactorOrientation
{
    /// <summary>nn.Linear / ConvNd: L = lora_B (out×r), R = lora_A (r×in·k…).</summary>
    Direct,

    /// <summary>GPT-2 Conv1D (stored in×out) and Embedding (stored vocab×dim): L = Aᵀ, R = Bᵀ.</summary>
    Transposed,

    /// <summary>A bias vector: L = [1], R = lora_B.bias.</summary>
    Bias,
}

/// <summary>One adapter's contribution <c>s·L·R</c> to one stored tensor.</summary>
/// <param name="CastsDelta">
/// <c>Rounding="peft"</c> only: the delta is rounded to the stored dtype before it is added, as PEFT's embedding merge
/// and safe merge do (<c>W += delta.to(dtype)</c>).
/// </param>
internal sealed record LowRankTerm(int AdapterIndex, string ModuleKey, TensorInfo A, TensorInfo B, FactorOrientation Orientation, float Scale, bool CastsDelta = false);

/// <summary>
/// A contribution of a LoHa, LoKr or IA3 module to one stored tensor, computed row by row on the CPU only (the CUDA
/// producer takes plain low-rank terms).
/// </summary>
internal abstract record RowTerm(int AdapterIndex, string ModuleKey);

/// <summary>LoHa: <c>acc += ((W1a·W1b) ⊙ (W2a·W2b))·s</c>, each product in LoRA's product order.</summary>
internal sealed record HadamardTerm(int AdapterIndex, string ModuleKey, TensorInfo W1A, TensorInfo W1B, TensorInfo W2A, TensorInfo W2B, float Scale)
    : RowTerm(AdapterIndex, ModuleKey);

/// <summary>LoKr: <c>acc += kron(W1, W2)·s</c>; each factor is stored full or as a low-rank pair.</summary>
internal sealed record KroneckerTerm(int AdapterIndex, string ModuleKey, KroneckerFactor W1, KroneckerFactor W2, float Scale)
    : RowTerm(AdapterIndex, ModuleKey);

/// <summary>One Kronecker factor: <see cref="Full"/>, or the product <see cref="Left"/>·<see cref="Right"/>.</summary>
internal sealed record KroneckerFactor(TensorInfo? Full, TensorInfo? Left, TensorInfo? Right)
{
    public long Rows => Full?.Shape[0] ?? Left!.Shape[0];
    public long Columns => Full?.Shape[1] ?? Right!.Shape[1];
}

/// <summary>IA3: <c>acc = acc ⊙ l</c>, one factor per stored row (<see cref="PerRow"/>) or per stored column.</summary>
internal sealed record ScaleTerm(int AdapterIndex, string ModuleKey, TensorInfo Vector, bool PerRow) : RowTerm(AdapterIndex, ModuleKey);

/// <summary>DoRA's rescale: each output row (Direct) or column (Transposed) becomes <c>m / ‖V‖ · V</c>.</summary>
internal sealed record DoraTerm(int AdapterIndex, TensorInfo Magnitude, bool PerColumn);

/// <summary>A full tensor from an adapter that replaces the base tensor, or only some of its rows.</summary>
/// <param name="ActsAsBase">
/// The adapter's own copy of a base tensor (a saved embedding layer, a trained bias): PEFT loads it into the base
/// layer, so LoRA deltas still merge on top of it. A modules_to_save copy or token rows take no deltas.
/// </param>
internal sealed record ReplacementSource(int AdapterIndex, TensorInfo Source, int[]? RowIndices, bool ActsAsBase);

/// <summary>The base tensor a job reads, and the shard that holds it.</summary>
internal sealed record BaseTensorRef(SafetensorsHeader Shard, TensorInfo Tensor)
{
    public string Name => Tensor.Name;
    public DType DType => Tensor.DType;
    public long[] Shape => Tensor.Shape;
    public long ByteLength => Tensor.ByteLength;
}

/// <summary>
/// What the planner fills and a <see cref="MergePlan"/> then freezes: once the plan is built (<see cref="Seal"/>), any
/// change throws, so the run, the GGUF writer and the CUDA backend read one immutable plan.
/// </summary>
internal abstract class PlanPart
{
    private bool _sealed;

    public void Seal() => _sealed = true;

    protected void ThrowIfSealed()
    {
        if (_sealed) throw new InvalidOperationException($"{GetType().Name} belongs to a built merge plan and cannot change.");
    }
}

/// <summary>An output file; when <see cref="MirrorOf"/> is set it has exactly the base shard's header and layout.</summary>
internal sealed class OutputShard(string fileName, SafetensorsHeader? mirrorOf) : PlanPart
{
    private readonly List<TensorJob> _jobs = [];

    public string FileName { get; } = fileName;
    public SafetensorsHeader? MirrorOf { get; } = mirrorOf;
    public IReadOnlyList<TensorJob> Jobs => _jobs;

    public void Add(TensorJob job)
    {
        ThrowIfSealed();
        _jobs.Add(job);
    }
}

/// <summary>Everything needed to produce one output tensor.</summary>
internal sealed class TensorJob(BaseTensorRef @base, OutputShard shard) : PlanPart
{
    private readonly List<LowRankTerm> _terms = [];
    private readonly List<RowTerm> _rowTerms = [];
    private readonly List<CombinedTerm> _combinedTerms = [];
    private DoraTerm? _dora;
    private bool _roundsAfterEachAdapter;
    private ReplacementSource? _replacement;

    public BaseTensorRef Base { get; } = @base;
    public OutputShard Shard { get; } = shard;
    public string Name => Base.Name;
    public IReadOnlyList<LowRankTerm> Terms => _terms;

    /// <summary>LoHa, LoKr and IA3 contributions; merged on the CPU in adapter order together with <see cref="Terms"/>.</summary>
    public IReadOnlyList<RowTerm> RowTerms => _rowTerms;

    public DoraTerm? Dora
    {
        get => _dora;
        set { ThrowIfSealed(); _dora = value; }
    }

    /// <summary>With a combination type: one combined adapter per targeted module, in place of the adapters' <see cref="Terms"/>.</summary>
    public IReadOnlyList<CombinedTerm> CombinedTerms => _combinedTerms;

    /// <summary>
    /// <c>Rounding="peft"</c>: the merged values are rounded to the stored dtype after each adapter's contribution, as
    /// PEFT's in-place merges one adapter after another do.
    /// </summary>
    public bool RoundsAfterEachAdapter
    {
        get => _roundsAfterEachAdapter;
        set { ThrowIfSealed(); _roundsAfterEachAdapter = value; }
    }

    public ReplacementSource? Replacement
    {
        get => _replacement;
        set { ThrowIfSealed(); _replacement = value; }
    }

    public void Add(LowRankTerm term)
    {
        ThrowIfSealed();
        _terms.Add(term);
    }

    public void Add(RowTerm term)
    {
        ThrowIfSealed();
        _rowTerms.Add(term);
    }

    public void Add(CombinedTerm term)
    {
        ThrowIfSealed();
        _combinedTerms.Add(term);
    }

    /// <summary>A combination replaced the adapters' own terms with <see cref="CombinedTerms"/>.</summary>
    public void RemoveAdapterTerms()
    {
        ThrowIfSealed();
        _terms.Clear();
    }

    public TensorAction Action =>
        Terms.Count > 0 || RowTerms.Count > 0 || CombinedTerms.Count > 0 || Dora is not null ? TensorAction.Merge
        : Replacement is not null ? TensorAction.Replace
        : TensorAction.Copy;

    /// <summary>Rows of the stored matrix (first dimension; 1 for a vector).</summary>
    public long Rows => Base.Shape.Length == 0 ? 1 : Base.Shape.Length == 1 ? 1 : Base.Shape[0];

    /// <summary>Elements per stored row.</summary>
    public long Columns => Base.Shape.Length <= 1 ? Base.Tensor.ElementCount : Base.Tensor.ElementCount / Base.Shape[0];
}
