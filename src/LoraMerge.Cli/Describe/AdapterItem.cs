using LoraMerge.Requests;
using LoraMerge.Gguf;
using LoraMerge.Merging;

namespace LoraMerge.Cli.Describe;

/// <summary>One <c>LoraAdapter</c> item with its metadata parsed and defaults applied.</summary>
internal sealed record AdapterItem(
    string ItemSpec,
    string Directory,
    string Model,
    string BaseModel,
    bool Merge,
    double Weight,
    bool SafeMerge,
    bool Embed,
    OutputFormats Formats,
    GgufTensorType? GgufType,
    ItemLocation Location)
{
    /// <summary><c>GgufType</c> as written (lower case), empty for the base's own float type or when there is no GGUF.</summary>
    public string GgufTypeName => GgufType is { } type ? GgufTensorTypes.Name(type) : "";
    /// <summary><c>Rounding</c> metadata: <c>single</c> (default) or <c>peft</c>.</summary>
    public LoraMerge.Merging.MergeRounding Rounding { get; init; }

    /// <summary><c>Combination</c>, <c>Density</c>, <c>MajoritySignMethod</c>, <c>SvdRank</c>, <c>Seed</c>; null without <c>Combination</c>.</summary>
    public LoraMerge.Merging.AdapterCombination? Combination { get; init; }

    /// <summary><c>Namespace</c>, <c>ClassName</c>, <c>Access</c>: the generated class.</summary>
    public GeneratedClassOptions Class { get; init; } = GeneratedClassOptions.Default;
}
