using LoraMerge.Formats;
using LoraMerge.Gguf;
using LoraMerge.Models;
using LoraMerge.Peft;

namespace LoraMerge.Merging;

/// <summary>What happens to one output tensor.</summary>
public enum TensorAction
{
    /// <summary>Bytes copied unchanged from the base.</summary>
    Copy,

    /// <summary>Base weight plus low-rank deltas (and, for DoRA, a magnitude rescale).</summary>
    Merge,

    /// <summary>Replaced by a full tensor from an adapter (modules_to_save, trained biases, trainable tokens).</summary>
    Replace,
}

/// <summary>One tensor of the merged model.</summary>
public sealed record PlannedTensor(string Name, DType DType, long[] Shape, TensorAction Action, string OutputFile);

/// <summary>
/// The result of preflight: every check passed, and every output tensor knows what produces it. Immutable once made:
/// what a merge records while it runs (hashes, <c>lora-merge.json</c>) is its <c>MergeProvenance</c>'s.
/// </summary>
public sealed class MergePlan
{
    internal MergePlan(
        MergeOptions options,
        ModelDirectory baseModel,
        IReadOnlyList<PeftAdapter> adapters,
        IReadOnlyList<TensorJob> jobs,
        IReadOnlyList<OutputShard> shards,
        string fingerprint,
        GgufModelPlan? gguf)
    {
        foreach (var job in jobs) job.Seal();
        foreach (var shard in shards) shard.Seal();
        Gguf = gguf;
        Options = options;
        BaseModel = baseModel;
        Adapters = adapters;
        Jobs = jobs;
        Shards = shards;
        Fingerprint = fingerprint;
        Tensors = jobs.Select(j => new PlannedTensor(j.Name, j.Base.DType, j.Base.Shape, j.Action, j.Shard.FileName)).ToArray();
        TotalBytes = jobs.Sum(j => j.Base.ByteLength);
    }

    public MergeOptions Options { get; }
    public ModelDirectory BaseModel { get; }
    public IReadOnlyList<PeftAdapter> Adapters { get; }

    /// <summary>Every output tensor, in output order.</summary>
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    /// <summary>Hex sha256 identifying the inputs; also the <c>fingerprint</c> of <c>lora-merge.json</c>.</summary>
    public string Fingerprint { get; }

    /// <summary>Bytes of tensor data the merge writes.</summary>
    public long TotalBytes { get; }

    internal IReadOnlyList<TensorJob> Jobs { get; }
    internal IReadOnlyList<OutputShard> Shards { get; }

    /// <summary>The GGUF file's layout when the output has one.</summary>
    internal GgufModelPlan? Gguf { get; }

    internal bool WritesSafetensors => Options.Formats.HasFlag(OutputFormats.Safetensors);
}
