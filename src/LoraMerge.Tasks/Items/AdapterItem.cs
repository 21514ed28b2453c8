namespace LoraMerge.Tasks.Items;

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
    ItemLocation Location)
{
    /// <summary><c>Rounding</c> metadata: <c>single</c> (default) or <c>peft</c>.</summary>
    public LoraMerge.Merging.MergeRounding Rounding { get; init; }
}
