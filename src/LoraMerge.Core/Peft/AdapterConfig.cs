using LoraMerge.Diagnostics;

namespace LoraMerge.Peft;

/// <summary>
/// adapter_config.json of a PEFT LoRA adapter: every field that changes a merge, with PEFT's defaults for fields that
/// older PEFT versions did not write (r = 8, lora_alpha = 8, no patterns).
/// </summary>
public sealed class AdapterConfig
{
    public const string FileName = "adapter_config.json";

    public const int DefaultRank = 8;
    public const double DefaultAlpha = 8;

    internal AdapterConfig(string path)
    {
        Path = path;
    }

    /// <summary>The adapter_config.json file.</summary>
    public string Path { get; }

    /// <summary><c>peft_type</c>, e.g. <c>"LORA"</c>.</summary>
    public string PeftType { get; internal init; } = "";

    /// <summary>The method <see cref="PeftType"/> names.</summary>
    public PeftKind Kind { get; internal init; }

    public string? TaskType { get; internal init; }

    public string? BaseModelNameOrPath { get; internal init; }

    public string? Revision { get; internal init; }

    /// <summary><c>peft_version</c>, written by PEFT 0.18 and later.</summary>
    public string? PeftVersion { get; internal init; }

    /// <summary><c>r</c>: the default rank.</summary>
    public int Rank { get; internal init; } = DefaultRank;

    /// <summary><c>lora_alpha</c> (LoHa and LoKr: <c>alpha</c>): the default alpha.</summary>
    public double Alpha { get; internal init; } = DefaultAlpha;

    public bool UseRsLora { get; internal init; }

    public bool UseDora { get; internal init; }

    /// <summary><c>lora_bias</c>: lora_B has a bias that is merged into the base bias.</summary>
    public bool LoraBias { get; internal init; }

    /// <summary><c>fan_in_fan_out</c> as written. PEFT overrides it by layer type (Conv1D: true, Linear: false).</summary>
    public bool FanInFanOut { get; internal init; }

    public BiasMode Bias { get; internal init; }

    public PatternResolver<int> RankPattern { get; internal init; } = new([]);

    public PatternResolver<double> AlphaPattern { get; internal init; } = new([]);

    public ModuleSelector TargetModules { get; internal init; } = ModuleSelector.None;

    public ModuleSelector ExcludeModules { get; internal init; } = ModuleSelector.None;

    /// <summary><c>layers_to_transform</c>; an int is a one-element list. Null when absent.</summary>
    public IReadOnlyList<int>? LayersToTransform { get; internal init; }

    /// <summary><c>layers_pattern</c>; a string is a one-element list and "" an empty one. Null when absent.</summary>
    public IReadOnlyList<string>? LayersPattern { get; internal init; }

    /// <summary><c>modules_to_save</c>, empty when absent.</summary>
    public IReadOnlyList<string> ModulesToSave { get; internal init; } = [];

    public TrainableTokenIndices? TrainableTokenIndices { get; internal init; }

    public bool EnsureWeightTying { get; internal init; }

    /// <summary><c>init_lora_weights</c> as text (<c>"true"</c>, <c>"false"</c>, <c>"gaussian"</c>, <c>"pissa"</c>, ...), null when absent.</summary>
    public string? InitLoraWeights { get; internal init; }

    /// <summary>
    /// True when <c>init_lora_weights</c> names a method that rewrote the base weights at initialisation (PiSSA, OLoRA,
    /// CorDA, LoRA-GA, LoftQ). Such an adapter only merges correctly into the residual base model saved with it, unless
    /// it was converted back to plain LoRA when saved.
    /// </summary>
    public bool ExpectsModifiedBase =>
        InitLoraWeights is { } init
        && (init.StartsWith("pissa", StringComparison.OrdinalIgnoreCase)
            || init.Equals("olora", StringComparison.OrdinalIgnoreCase)
            || init.Equals("corda", StringComparison.OrdinalIgnoreCase)
            || init.Equals("lora_ga", StringComparison.OrdinalIgnoreCase)
            || init.Equals("loftq", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Settings that make a merge impossible or that LoraMerge does not support, one line each
    /// (e.g. <c>"layer_replication: ..."</c>). Empty for a mergeable adapter.
    /// </summary>
    public IReadOnlyList<string> UnsupportedFeatures { get; internal init; } = [];

    /// <summary>The matcher for this config's <c>target_modules</c>, <c>exclude_modules</c>, <c>modules_to_save</c> and layer filters.</summary>
    public TargetMatcher Targets => _targets ??= new TargetMatcher(this);

    private TargetMatcher? _targets;

    /// <summary>The rank of a module: the first matching <c>rank_pattern</c> key, else <c>r</c>.</summary>
    public int RankFor(string moduleKey) => RankPattern.Resolve(moduleKey, Rank);

    /// <summary>The alpha of a module: the first matching <c>alpha_pattern</c> key, else <c>lora_alpha</c>.</summary>
    public double AlphaFor(string moduleKey) => AlphaPattern.Resolve(moduleKey, Alpha);

    /// <summary>
    /// PEFT's scaling with <c>set_scale(adapter, weight)</c>: <c>weight * alpha / r</c>, or <c>weight * alpha / sqrt(r)</c>
    /// with rsLoRA, in double and in that order (so weight 1 gives exactly <c>alpha / r</c>).
    /// </summary>
    public double ScalingFor(string moduleKey, double weight = 1.0)
    {
        double alpha = AlphaFor(moduleKey);
        int rank = RankFor(moduleKey);
        return UseRsLora ? weight * alpha / Math.Sqrt(rank) : weight * alpha / rank;
    }

    /// <summary>Reads and validates adapter_config.json.</summary>
    /// <exception cref="LoraException"><see cref="ErrorCodes.AdapterConfig"/> or <see cref="ErrorCodes.InvalidAdapterValue"/>.</exception>
    public static AdapterConfig Read(string configPath) => AdapterConfigReader.Read(configPath);

    /// <summary>Parses adapter_config.json text; <paramref name="configPath"/> is only used in messages.</summary>
    public static AdapterConfig Parse(ReadOnlySpan<byte> json, string configPath) => AdapterConfigReader.Parse(json, configPath);
}
