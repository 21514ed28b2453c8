using LoraMerge.Diagnostics;
using LoraMerge.Formats;

namespace LoraMerge.Peft;

/// <summary>The LoRA tensors of one module as they are found, checked and turned into a <see cref="LoraModule"/>.</summary>
internal sealed class ModuleParts
{
    private TensorInfo? _a;
    private TensorInfo? _b;
    private TensorInfo? _bias;
    private TensorInfo? _magnitude;
    private bool? _embeddingStyle;

    public void Set(AdapterTensorRole role, TensorInfo tensor, string weightsPath)
    {
        bool? embeddingStyle = role switch
        {
            AdapterTensorRole.EmbeddingA or AdapterTensorRole.EmbeddingB => true,
            AdapterTensorRole.LoraA or AdapterTensorRole.LoraB or AdapterTensorRole.LoraBBias => false,
            _ => null,
        };
        if (embeddingStyle is { } style)
        {
            if (_embeddingStyle is { } seen && seen != style)
                throw Incomplete(tensor.Name, "mixes lora_embedding_* tensors with lora_A/lora_B tensors for one module", weightsPath);
            _embeddingStyle = style;
        }

        ref TensorInfo? slot = ref _a;
        switch (role)
        {
            case AdapterTensorRole.LoraA or AdapterTensorRole.EmbeddingA: slot = ref _a; break;
            case AdapterTensorRole.LoraB or AdapterTensorRole.EmbeddingB: slot = ref _b; break;
            case AdapterTensorRole.LoraBBias: slot = ref _bias; break;
            case AdapterTensorRole.Magnitude: slot = ref _magnitude; break;
            default: throw new ArgumentOutOfRangeException(nameof(role), role, null);
        }
        if (slot is not null)
            throw new LoraException(ErrorCodes.InvalidAdapterValue, $"{tensor.Name} and {slot.Name} are the same LoRA tensor of one module.", weightsPath);
        slot = tensor;
    }

    public LoraModule Build(string moduleKey, AdapterConfig config, string weightsPath)
    {
        if (_a is null || _b is null)
        {
            string missing = _a is null && _b is null ? "lora_A and lora_B" : _a is null ? "lora_A" : "lora_B";
            throw Incomplete(moduleKey, $"has no {missing} tensor", weightsPath);
        }
        var a = _a;
        var b = _b;
        bool embedding = _embeddingStyle == true;
        var kind = embedding ? LoraModuleKind.Embedding : a.Rank > 2 ? LoraModuleKind.Conv : LoraModuleKind.Linear;

        CheckShapes(moduleKey, kind, a, b, weightsPath);
        int rank = checked((int)a.Shape[0]);
        int configRank = config.RankFor(moduleKey);
        if (rank != configRank)
        {
            string source = config.RankPattern.MatchingKey(moduleKey) is { } key ? $"rank_pattern[\"{key}\"]" : "r";
            throw new LoraException(
                ErrorCodes.InvalidAdapterValue,
                $"LoRA module {moduleKey} has rank {rank} in the adapter file ({a.Name} is {a.ShapeText}), but adapter_config.json gives {source} = {configRank}.",
                weightsPath);
        }

        if (_bias is not null)
        {
            if (!config.LoraBias)
                throw new LoraException(ErrorCodes.InvalidAdapterValue, $"{_bias.Name} is a lora_B bias, but adapter_config.json has lora_bias = false.", weightsPath);
            if (_bias.Rank != 1 || _bias.Shape[0] != b.Shape[0])
                throw Incomplete(moduleKey, $"has a lora_B bias of shape {_bias.ShapeText}; expected [{b.Shape[0]}]", weightsPath);
        }

        if (_magnitude is not null && !config.UseDora)
            throw new LoraException(ErrorCodes.InvalidAdapterValue, $"{_magnitude.Name} is a DoRA magnitude, but adapter_config.json has use_dora = false.", weightsPath);
        if (_magnitude is null && config.UseDora)
            throw Incomplete(moduleKey, "has no lora_magnitude_vector although adapter_config.json has use_dora = true", weightsPath);
        if (_magnitude is not null && _magnitude.ElementCount != b.Shape[0])
            throw Incomplete(moduleKey, $"has a DoRA magnitude of shape {_magnitude.ShapeText}; expected {b.Shape[0]} values (one per output feature)", weightsPath);

        return new LoraModule(moduleKey, kind, a, b, _bias, _magnitude, rank, config.AlphaFor(moduleKey));
    }

    private static void CheckShapes(string moduleKey, LoraModuleKind kind, TensorInfo a, TensorInfo b, string weightsPath)
    {
        bool ok = kind switch
        {
            LoraModuleKind.Conv => a.Rank is >= 3 and <= 5 && b.Rank == a.Rank && b.Shape.Skip(2).All(d => d == 1),
            _ => a.Rank == 2 && b.Rank == 2,
        };
        if (!ok)
            throw Incomplete(moduleKey, $"has factors of shapes {a.ShapeText} ({a.Name}) and {b.ShapeText} ({b.Name}), which do not form a LoRA pair", weightsPath);
        if (a.Shape[0] <= 0 || b.Shape[1] != a.Shape[0])
        {
            throw Incomplete(
                moduleKey,
                $"has lora_A of rank {a.Shape[0]} ({a.ShapeText}) but lora_B of shape {b.ShapeText}; lora_B's second dimension must equal the rank",
                weightsPath);
        }
    }

    private static LoraException Incomplete(string subject, string problem, string weightsPath) =>
        new(ErrorCodes.IncompleteLoraPair, $"LoRA module {subject} {problem}.", weightsPath);
}
