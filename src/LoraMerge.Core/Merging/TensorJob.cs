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
internal sealed record LowRankTerm(int AdapterIndex, string ModuleKey, TensorInfo A, TensorInfo B, FactorOrientation Orientation, float Scale);

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

/// <summary>An output file; when <see cref="MirrorOf"/> is set it has exactly the base shard's header and layout.</summary>
internal sealed class OutputShard(string fileName, SafetensorsHeader? mirrorOf)
{
    public string FileName { get; } = fileName;
    public SafetensorsHeader? MirrorOf { get; } = mirrorOf;
    public List<TensorJob> Jobs { get; } = [];
}

/// <summary>Everything needed to produce one output tensor.</summary>
internal sealed class TensorJob(BaseTensorRef @base, OutputShard shard)
{
    public BaseTensorRef Base { get; } = @base;
    public OutputShard Shard { get; } = shard;
    public string Name => Base.Name;
    public List<LowRankTerm> Terms { get; } = [];
    public DoraTerm? Dora { get; set; }
    public ReplacementSource? Replacement { get; set; }

    public TensorAction Action =>
        Terms.Count > 0 || Dora is not null ? TensorAction.Merge
        : Replacement is not null ? TensorAction.Replace
        : TensorAction.Copy;

    /// <summary>Rows of the stored matrix (first dimension; 1 for a vector).</summary>
    public long Rows => Base.Shape.Length == 0 ? 1 : Base.Shape.Length == 1 ? 1 : Base.Shape[0];

    /// <summary>Elements per stored row.</summary>
    public long Columns => Base.Shape.Length <= 1 ? Base.Tensor.ElementCount : Base.Tensor.ElementCount / Base.Shape[0];
}
