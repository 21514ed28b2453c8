using LoraMerge.Diagnostics;
using LoraMerge.Formats;

namespace LoraMerge.Peft;

/// <summary>Sorts the tensors of adapter_model.safetensors into LoRA modules, replacements and trainable tokens.</summary>
internal sealed class AdapterTensorGrouper
{
    // Names transformers models give their input and output embeddings; full weights under them are saved embeddings.
    private static readonly HashSet<string> EmbeddingModuleNames =
        ["embed_tokens", "lm_head", "wte", "word_embeddings", "embed_in", "embed_out", "tok_embeddings", "shared", "output"];

    // PEFT adds these heads to modules_to_save for SEQ_CLS, also when the saved config does not list them.
    private static readonly string[] SequenceClassificationHeads = ["classifier", "score"];

    private readonly AdapterConfig _config;
    private readonly string _weightsPath;
    private readonly Dictionary<string, ModuleParts> _parts = new(StringComparer.Ordinal);
    private readonly List<string> _moduleOrder = [];
    private readonly Dictionary<string, Dictionary<string, TensorInfo>> _variantParts = new(StringComparer.Ordinal);
    private readonly List<string> _variantOrder = [];
    private readonly List<ReplacementTensor> _replacements = [];
    private readonly List<TrainableTokens> _trainableTokens = [];
    private readonly List<string> _unrecognised = [];

    public AdapterTensorGrouper(AdapterConfig config, string weightsPath)
    {
        _config = config;
        _weightsPath = weightsPath;
    }

    public IReadOnlyList<ReplacementTensor> Replacements => _replacements;

    public IReadOnlyList<TrainableTokens> TrainableTokens => _trainableTokens;

    public void Add(TensorInfo tensor)
    {
        var key = AdapterTensorKey.Parse(tensor.Name);
        switch (key.Role)
        {
            case AdapterTensorRole.Unknown:
                _unrecognised.Add(tensor.Name);
                break;
            case AdapterTensorRole.FullParameter:
                AddFullParameter(tensor, key);
                break;
            case AdapterTensorRole.TrainableTokensDelta:
                AddTrainableTokens(tensor, key);
                break;
            case AdapterTensorRole.VariantParameter:
                AddVariantParameter(tensor, key);
                break;
            default:
                if (_config.Kind != PeftKind.Lora)
                {
                    _unrecognised.Add(tensor.Name);
                    break;
                }
                PartsOf(key.ModuleKey).Set(key.Role, tensor, _weightsPath);
                break;
        }
    }

    public IReadOnlyList<LoraModule> BuildModules()
    {
        if (_unrecognised.Count > 0)
        {
            throw new LoraException(
                ErrorCodes.UnrecognisedAdapterTensor,
                $"adapter_model.safetensors holds {_unrecognised.Count} tensor(s) that are not {FactorText(_config.Kind)}, DoRA magnitudes, trainable tokens, " +
                $"modules_to_save copies, trained biases (bias=\"{BiasText(_config.Bias)}\") or saved embeddings: {string.Join(", ", _unrecognised.Take(20))}" +
                (_unrecognised.Count > 20 ? ", ..." : "") + ".",
                _weightsPath);
        }
        CheckDuplicateReplacements();
        return _moduleOrder.Select(key => _parts[key].Build(key, _config, _weightsPath)).ToList();
    }

    /// <summary>The LoHa, LoKr or IA3 modules, in the order their first tensor appears in the header; call after <see cref="BuildModules"/>.</summary>
    public IReadOnlyList<VariantModule> BuildVariantModules() =>
        _variantOrder.Select(key => VariantModuleBuilder.Build(key, _variantParts[key], _config, _weightsPath)).ToList();

    private void AddVariantParameter(TensorInfo tensor, AdapterTensorKey key)
    {
        if (VariantModuleBuilder.ParameterKinds[key.Parameter!] != _config.Kind)
        {
            _unrecognised.Add(tensor.Name);
            return;
        }
        if (!_variantParts.TryGetValue(key.ModuleKey, out var parts))
        {
            parts = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
            _variantParts.Add(key.ModuleKey, parts);
            _variantOrder.Add(key.ModuleKey);
        }
        if (!parts.TryAdd(key.Parameter!, tensor))
            throw new LoraException(ErrorCodes.InvalidAdapterValue, $"{tensor.Name} and {parts[key.Parameter!].Name} are the same parameter of one module.", _weightsPath);
    }

    private ModuleParts PartsOf(string moduleKey)
    {
        if (!_parts.TryGetValue(moduleKey, out var parts))
        {
            parts = new ModuleParts();
            _parts.Add(moduleKey, parts);
            _moduleOrder.Add(moduleKey);
        }
        return parts;
    }

    private void AddFullParameter(TensorInfo tensor, AdapterTensorKey key)
    {
        string baseName = key.BaseTensorName!;
        string lastSegment = key.ModuleKey[(key.ModuleKey.LastIndexOf('.') + 1)..];
        bool isBias = baseName.EndsWith(".bias", StringComparison.Ordinal);
        ReplacementKind? kind =
            key.FromModulesToSave || IsModuleToSave(key.ModuleKey, lastSegment) ? ReplacementKind.ModulesToSave
            : isBias && _config.Bias != BiasMode.None ? ReplacementKind.Bias
            : EmbeddingModuleNames.Contains(lastSegment) ? ReplacementKind.SavedEmbedding
            : null;
        if (kind is null) _unrecognised.Add(tensor.Name);
        else _replacements.Add(new ReplacementTensor(baseName, tensor, kind.Value));
    }

    private bool IsModuleToSave(string moduleKey, string lastSegment) =>
        _config.Targets.IsModuleToSave(moduleKey)
        || (_config.TaskType == "SEQ_CLS" && SequenceClassificationHeads.Contains(lastSegment));

    private void AddTrainableTokens(TensorInfo tensor, AdapterTensorKey key)
    {
        var indices = _config.TrainableTokenIndices?.IndicesFor(key.ModuleKey);
        if (indices is null)
        {
            throw new LoraException(
                ErrorCodes.InvalidAdapterValue,
                $"{tensor.Name} holds trainable token rows for {key.ModuleKey}, but adapter_config.json's \"trainable_token_indices\" names no rows for that module.",
                _weightsPath);
        }
        if (tensor.Rank != 2 || tensor.Shape[0] != indices.Count)
        {
            throw new LoraException(
                ErrorCodes.InvalidAdapterValue,
                $"{tensor.Name} has shape {tensor.ShapeText}, but \"trainable_token_indices\" lists {indices.Count} token(s) for {key.ModuleKey}; expected [{indices.Count}, embedding_dim].",
                _weightsPath);
        }
        _trainableTokens.Add(new TrainableTokens(key.ModuleKey + ".weight", tensor, indices.ToArray()));
    }

    private void CheckDuplicateReplacements()
    {
        var targets = _replacements.Select(r => r.BaseTensorName).Concat(_trainableTokens.Select(t => t.BaseTensorName));
        var duplicate = targets.GroupBy(name => name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new LoraException(
                ErrorCodes.InvalidAdapterValue,
                $"Several tensors of the adapter file replace the base tensor {duplicate.Key}.",
                _weightsPath);
        }
    }

    private static string FactorText(PeftKind kind) => kind switch
    {
        PeftKind.LoHa => "LoHa factors (hada_*)",
        PeftKind.LoKr => "LoKr factors (lokr_*)",
        PeftKind.Ia3 => "IA3 vectors (ia3_l)",
        _ => "LoRA factors",
    };

    private static string BiasText(BiasMode bias) => bias switch
    {
        BiasMode.All => "all",
        BiasMode.LoraOnly => "lora_only",
        _ => "none",
    };
}
