using System.Text.Json;
using System.Text.RegularExpressions;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;

namespace LoraMerge.Peft;

/// <summary>Parses adapter_config.json into an <see cref="AdapterConfig"/> with PEFT's defaults and PEFT's own validation.</summary>
internal static class AdapterConfigReader
{
    // Settings that PEFT cannot merge, or LoRA variants whose saved tensors are not plain A/B factors.
    private static readonly (string Field, string Reason)[] UnsupportedWhenSet =
    [
        ("layer_replication", "layer replication shares weights between layers; PEFT refuses to merge it"),
        ("alora_invocation_tokens", "activated LoRA (aLoRA) applies only after its invocation tokens and cannot be merged"),
        ("target_parameters", "LoRA on nn.Parameter targets (e.g. MoE experts) is not supported"),
        ("use_qalora", "QA-LoRA (quantization-aware LoRA for GPTQ) is not supported"),
        ("use_bdlora", "block-diagonal LoRA (BD-LoRA) is not supported"),
        ("megatron_config", "Megatron tensor-parallel LoRA layers are not supported"),
        ("arrow_config", "Arrow routing between LoRA experts is not supported"),
        ("kasa_config", "KaSA (singular-value LoRA variant) is not supported"),
        ("monteclora_config", "MonteCLoRA is not supported"),
    ];

    public static AdapterConfig Read(string configPath)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(configPath);
        }
        catch (FileNotFoundException e)
        {
            throw new LoraException(ErrorCodes.AdapterConfig, "The adapter folder has no adapter_config.json.", configPath, e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new LoraException(ErrorCodes.AdapterConfig, "The adapter folder has no adapter_config.json.", configPath, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LoraException(ErrorCodes.AdapterConfig, $"adapter_config.json could not be read: {e.Message}", configPath, e);
        }
        return Parse(bytes, configPath);
    }

    public static AdapterConfig Parse(ReadOnlySpan<byte> json, string configPath)
    {
        using var document = JsonObjectDocument.Parse(json, configPath, ErrorCodes.AdapterConfig, AdapterConfig.FileName);
        return Build(new AdapterJsonObject(document.RootElement, configPath));
    }

    private static AdapterConfig Build(AdapterJsonObject json)
    {
        string peftType = ReadPeftType(json);
        var kind = KindOf(peftType);
        var targetModules = ReadSelector(json, "target_modules", isTarget: true);
        var layersToTransform = ReadLayersToTransform(json);
        var layersPattern = ReadLayersPattern(json);
        var config = new AdapterConfig(json.Path)
        {
            PeftType = peftType,
            Kind = kind,
            TaskType = json.String("task_type"),
            BaseModelNameOrPath = json.String("base_model_name_or_path"),
            Revision = json.String("revision"),
            PeftVersion = json.String("peft_version"),
            Rank = ReadRank(json),
            Alpha = json.Number(kind is PeftKind.LoHa or PeftKind.LoKr ? "alpha" : "lora_alpha", AdapterConfig.DefaultAlpha),
            UseRsLora = json.Bool("use_rslora", false),
            UseDora = json.Bool("use_dora", false),
            LoraBias = json.Bool("lora_bias", false),
            FanInFanOut = json.Bool("fan_in_fan_out", false),
            Bias = ReadBias(json),
            RankPattern = new PatternResolver<int>(ReadPatterns(json, "rank_pattern", (v, n) => ReadPositiveRank(json, v, n))),
            AlphaPattern = new PatternResolver<double>(ReadPatterns(json, "alpha_pattern", json.ToNumber)),
            TargetModules = targetModules,
            ExcludeModules = ReadSelector(json, "exclude_modules", isTarget: false),
            LayersToTransform = layersToTransform,
            LayersPattern = layersPattern,
            ModulesToSave = json.Field("modules_to_save") is { } save ? json.StringList(save, "modules_to_save") : [],
            TrainableTokenIndices = ReadTrainableTokenIndices(json),
            EnsureWeightTying = json.Bool("ensure_weight_tying", false),
            InitLoraWeights = ReadInitLoraWeights(json),
            UnsupportedFeatures = ReadUnsupportedFeatures(json),
        };

        // The same checks as LoraConfig.__post_init__.
        if (targetModules.Kind is TargetModulesKind.Regex or TargetModulesKind.AllLinear && layersToTransform is not null)
            throw json.Invalid("layers_to_transform", "cannot be used when \"target_modules\" is a string");
        if (targetModules.Kind is TargetModulesKind.Regex or TargetModulesKind.AllLinear && layersPattern is not null)
            throw json.Invalid("layers_pattern", "cannot be used when \"target_modules\" is a string");
        if (layersPattern is { Count: > 0 } && layersToTransform is null)
            throw json.Invalid("layers_pattern", "needs \"layers_to_transform\" as well");
        if (config.LoraBias && config.UseDora)
            throw json.Invalid("lora_bias", "cannot be true together with \"use_dora\"");

        ValidatePattern(json, "layers_pattern", layersPattern ?? []);
        ValidatePattern(json, "modules_to_save", config.ModulesToSave);
        return config;
    }

    private static string ReadPeftType(AdapterJsonObject json)
    {
        string? peftType = json.String("peft_type");
        if (peftType is null)
            throw new LoraException(ErrorCodes.AdapterConfig, "adapter_config.json has no \"peft_type\"; is this a PEFT adapter folder?", json.Path);
        if (peftType is not ("LORA" or "LOHA" or "LOKR" or "IA3"))
        {
            throw new LoraException(
                ErrorCodes.UnsupportedPeftType,
                $"The adapter's peft_type is \"{peftType}\"; LoraMerge merges LoRA (peft_type \"LORA\": plain LoRA, rsLoRA and DoRA), LoHa (\"LOHA\"), LoKr (\"LOKR\") and IA3 (\"IA3\") adapters.",
                json.Path);
        }
        return peftType;
    }

    private static PeftKind KindOf(string peftType) => peftType switch
    {
        "LOHA" => PeftKind.LoHa,
        "LOKR" => PeftKind.LoKr,
        "IA3" => PeftKind.Ia3,
        _ => PeftKind.Lora,
    };

    private static int ReadRank(AdapterJsonObject json) =>
        json.Field("r") is { } value ? ReadPositiveRank(json, value, "r") : AdapterConfig.DefaultRank;

    private static int ReadPositiveRank(AdapterJsonObject json, JsonElement value, string name)
    {
        int rank = json.ToInt(value, name);
        if (rank <= 0) throw json.Invalid(name, $"must be a positive rank, not {rank}");
        return rank;
    }

    private static BiasMode ReadBias(AdapterJsonObject json) => json.String("bias") switch
    {
        null or "none" => BiasMode.None,
        "all" => BiasMode.All,
        "lora_only" => BiasMode.LoraOnly,
        var other => throw json.Invalid("bias", $"must be \"none\", \"all\" or \"lora_only\", not \"{other}\""),
    };

    private static List<KeyValuePair<string, T>> ReadPatterns<T>(AdapterJsonObject json, string name, Func<JsonElement, string, T> readValue)
    {
        var result = new List<KeyValuePair<string, T>>();
        if (json.Field(name) is not { } value) return result;
        if (value.ValueKind != JsonValueKind.Object) throw json.Invalid(name, "must be an object mapping module patterns to values");
        foreach (var property in value.EnumerateObject())
        {
            string entryName = $"{name}[\"{property.Name}\"]";
            ValidateRegex(json, entryName, @"(.*\.)?(" + property.Name + ")$");
            result.Add(new(property.Name, readValue(property.Value, entryName)));
        }
        return result;
    }

    private static ModuleSelector ReadSelector(AdapterJsonObject json, string name, bool isTarget)
    {
        if (json.Field(name) is not { } value) return ModuleSelector.None;
        if (value.ValueKind == JsonValueKind.String)
        {
            string pattern = value.GetString()!;
            var selector = isTarget ? ModuleSelector.FromPattern(pattern) : ModuleSelector.FromRegex(pattern);
            if (selector.Kind == TargetModulesKind.Regex) ValidateRegex(json, name, pattern);
            return selector;
        }
        return ModuleSelector.FromNames(json.StringList(value, name));
    }

    private static IReadOnlyList<int>? ReadLayersToTransform(AdapterJsonObject json)
    {
        if (json.Field("layers_to_transform") is not { } value) return null;
        return value.ValueKind == JsonValueKind.Number
            ? [json.ToInt(value, "layers_to_transform")]
            : json.IntList(value, "layers_to_transform");
    }

    private static IReadOnlyList<string>? ReadLayersPattern(AdapterJsonObject json)
    {
        if (json.Field("layers_pattern") is not { } value) return null;
        if (value.ValueKind == JsonValueKind.String)
        {
            string pattern = value.GetString()!;
            return pattern.Length == 0 ? [] : [pattern];
        }
        return json.StringList(value, "layers_pattern");
    }

    private static TrainableTokenIndices? ReadTrainableTokenIndices(AdapterJsonObject json)
    {
        const string name = "trainable_token_indices";
        if (json.Field(name) is not { } value) return null;
        if (value.ValueKind == JsonValueKind.Array) return new TrainableTokenIndices(json.IntList(value, name), []);
        if (value.ValueKind != JsonValueKind.Object) throw json.Invalid(name, "must be a list of token ids or an object mapping module names to lists");
        var byModule = new List<KeyValuePair<string, IReadOnlyList<int>>>();
        foreach (var property in value.EnumerateObject())
            byModule.Add(new(property.Name, json.IntList(property.Value, $"{name}[\"{property.Name}\"]")));
        return new TrainableTokenIndices(null, byModule);
    }

    private static string? ReadInitLoraWeights(AdapterJsonObject json) => json.Field("init_lora_weights") switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw json.Invalid("init_lora_weights", "must be true, false or a method name"),
    };

    private static List<string> ReadUnsupportedFeatures(AdapterJsonObject json)
    {
        var features = new List<string>();
        foreach (var (field, reason) in UnsupportedWhenSet)
        {
            if (json.IsSet(field)) features.Add($"{field}: {reason}");
        }
        return features;
    }

    private static void ValidatePattern(AdapterJsonObject json, string name, IReadOnlyList<string> patterns)
    {
        // These values are spliced into PEFT's own regexes, so a broken one fails there too.
        foreach (var pattern in patterns) ValidateRegex(json, name, pattern);
    }

    private static void ValidateRegex(AdapterJsonObject json, string name, string pattern)
    {
        try
        {
            _ = PythonRegex.ForMatch(pattern);
        }
        catch (ArgumentException e)
        {
            throw new LoraException(ErrorCodes.InvalidAdapterValue, $"adapter_config.json: \"{name}\" is not a valid regular expression: {e.Message}", json.Path, e);
        }
    }
}
