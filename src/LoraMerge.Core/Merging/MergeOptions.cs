using LoraMerge.Gguf;

namespace LoraMerge.Merging;

/// <summary>One adapter folder and its weight <c>w</c> in <c>W' = W + Σ w·s·B·A</c>.</summary>
public sealed record AdapterInput(string Directory, double Weight = 1.0);

/// <summary>Which hardware computes the merge.</summary>
public enum MergeBackendKind
{
    /// <summary>CUDA when a usable device is present, else CPU.</summary>
    Auto,
    Cpu,
    Cuda,
}

/// <summary>Where a merge rounds to the stored dtype (docs/merge-semantics.md).</summary>
public enum MergeRounding
{
    /// <summary>Once per element, after every adapter: the most accurate result (the default).</summary>
    Single,

    /// <summary>
    /// Wherever PEFT rounds in between: after each adapter on a half-precision base, embedding deltas and (with safe
    /// merge) Linear/Conv deltas cast to the base dtype before the add. Bit-identical to PEFT where its arithmetic is determined.
    /// </summary>
    Peft,
}

/// <summary>The files a merge writes into its output folder (one or both).</summary>
[Flags]
public enum OutputFormats
{
    /// <summary>The base's safetensors layout, with config and tokenizer files beside it.</summary>
    Safetensors = 1,

    /// <summary>One <c>model.gguf</c> that llama.cpp loads (docs/gguf.md).</summary>
    Gguf = 2,
}

/// <summary>Everything a merge needs. Paths may be relative to the current directory.</summary>
public sealed record MergeOptions
{
    public required string BaseModelDirectory { get; init; }
    public required IReadOnlyList<AdapterInput> Adapters { get; init; }
    public required string OutputDirectory { get; init; }

    /// <summary>Abort on any NaN or ±Inf in a merged tensor (default on).</summary>
    public bool SafeMerge { get; init; } = true;

    /// <summary>Round once (default) or where PEFT rounds; see <see cref="MergeRounding"/>.</summary>
    public MergeRounding Rounding { get; init; } = MergeRounding.Single;

    /// <summary>
    /// Combine the adapters first, as PEFT's <c>add_weighted_adapter</c> with this combination type does, and merge the
    /// combined adapter; null merges every adapter's own delta (their weighted sum, which is what <c>cat</c> computes).
    /// </summary>
    public AdapterCombination? Combination { get; init; }

    /// <summary>Re-shard the output by this byte budget; null keeps the base's shard layout.</summary>
    public long? MaxShardSize { get; init; }

    /// <summary>Merge threads; 0 means all cores but one (that one hashes the output while it is written).</summary>
    public int Threads { get; init; }

    public MergeBackendKind Backend { get; init; } = MergeBackendKind.Auto;

    public OutputFormats Formats { get; init; } = OutputFormats.Safetensors;

    /// <summary>Type of the GGUF's matrices; null keeps the base's float type. Only with <see cref="OutputFormats.Gguf"/>.</summary>
    public GgufTensorType? GgufType { get; init; }

    /// <summary>
    /// Flush every output file and folder to the disk before the rename that publishes them (fsync, as git and SQLite
    /// do), so a power cut leaves the old or the new model; false leaves write-back to the OS, like cp (faster, for
    /// throwaway outputs and benchmarks).
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>
    /// A content-addressed store of finished merges (<see cref="Store.MergeStore"/>); null for none. A merge whose inputs
    /// (by content) and options are in it is hard-linked from it instead of computed, and a new merge is added to it.
    /// </summary>
    public string? Store { get; init; }

    /// <summary>Replace an existing output folder (the CLI asks for this explicitly; MSBuild owns its folder).</summary>
    public bool Overwrite { get; init; } = true;
}

/// <summary>Progress of a running merge, reported after each tensor.</summary>
public readonly record struct MergeProgress(
    int TensorsDone, int TensorsTotal, long BytesDone, long BytesTotal, TimeSpan Elapsed, string? CurrentTensor)
{
    public double MegabytesPerSecond => Elapsed.TotalSeconds > 0 ? BytesDone / 1e6 / Elapsed.TotalSeconds : 0;
}
