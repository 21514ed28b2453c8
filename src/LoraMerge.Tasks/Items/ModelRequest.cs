using LoraMerge.Gguf;
using LoraMerge.Merging;

namespace LoraMerge.Tasks.Items;

/// <summary>One merged model: every <c>Merge="true"</c> item with the same <c>Model</c>, in item order.</summary>
internal sealed record ModelRequest(
    string Name,
    string BaseModel,
    IReadOnlyList<AdapterItem> Adapters,
    bool SafeMerge,
    bool Embed,
    OutputFormats Formats = OutputFormats.Safetensors,
    GgufTensorType? GgufType = null)
{
    /// <summary>Errors about the model as a whole point at its first item.</summary>
    public ItemLocation Location => Adapters[0].Location;

    /// <summary>The adapters' shared <c>Rounding</c>.</summary>
    public LoraMerge.Merging.MergeRounding Rounding { get; init; }
}
