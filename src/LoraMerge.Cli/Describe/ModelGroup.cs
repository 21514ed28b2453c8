using LoraMerge.Gguf;
using LoraMerge.Merging;
using LoraMerge.Requests;

namespace LoraMerge.Cli.Describe;

/// <summary>One merged model: every <c>Merge="true"</c> item with the same <c>Model</c>, in item order.</summary>
internal sealed record ModelGroup(
    string Name,
    string BaseModel,
    IReadOnlyList<AdapterItem> Adapters,
    bool SafeMerge,
    bool Embed,
    OutputFormats Formats = OutputFormats.Safetensors,
    GgufTensorType? GgufType = null)
{
    /// <summary><c>Rounding</c>, which every item of the model agrees on.</summary>
    public MergeRounding Rounding { get; init; }

    /// <summary><c>Combination</c> and its parameters, which every item of the model agrees on.</summary>
    public AdapterCombination? Combination { get; init; }

    /// <summary><c>Namespace</c>, <c>ClassName</c>, <c>Access</c>, which every item of the model agrees on.</summary>
    public GeneratedClassOptions Class { get; init; } = GeneratedClassOptions.Default;

    /// <summary>Errors about the model as a whole point at its first item.</summary>
    public ItemLocation Location => Adapters[0].Location;

    /// <summary>The one place the build turns items and properties into the engine's options.</summary>
    public MergeOptions ToOptions(string outputDirectory, ProjectSettings settings) => new()
    {
        BaseModelDirectory = BaseModel,
        Adapters = Adapters.Select(a => new AdapterInput(a.Directory, a.Weight)).ToArray(),
        OutputDirectory = outputDirectory,
        SafeMerge = SafeMerge,
        Rounding = Rounding,
        Combination = Combination,
        Threads = settings.Threads,
        Backend = settings.Backend,
        Formats = Formats,
        GgufType = GgufType,
        Store = settings.StoreDirectory,
        // MSBuild owns obj/.../lora/models/<Model>/.
        Overwrite = true,
    };
}
