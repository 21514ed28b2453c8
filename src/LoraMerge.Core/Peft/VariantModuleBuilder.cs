using LoraMerge.Diagnostics;
using LoraMerge.Formats;

namespace LoraMerge.Peft;

/// <summary>Checks the tensors of one LoHa, LoKr or IA3 module against each other and the config.</summary>
internal static class VariantModuleBuilder
{
    /// <summary>Every parameter name of the variant layers, and the method it belongs to.</summary>
    public static readonly IReadOnlyDictionary<string, PeftKind> ParameterKinds = new Dictionary<string, PeftKind>(StringComparer.Ordinal)
    {
        ["hada_w1_a"] = PeftKind.LoHa, ["hada_w1_b"] = PeftKind.LoHa, ["hada_w2_a"] = PeftKind.LoHa, ["hada_w2_b"] = PeftKind.LoHa,
        ["hada_t1"] = PeftKind.LoHa, ["hada_t2"] = PeftKind.LoHa,
        ["lokr_w1"] = PeftKind.LoKr, ["lokr_w1_a"] = PeftKind.LoKr, ["lokr_w1_b"] = PeftKind.LoKr,
        ["lokr_w2"] = PeftKind.LoKr, ["lokr_w2_a"] = PeftKind.LoKr, ["lokr_w2_b"] = PeftKind.LoKr, ["lokr_t2"] = PeftKind.LoKr,
        ["ia3_l"] = PeftKind.Ia3,
    };

    public static VariantModule Build(string moduleKey, IReadOnlyDictionary<string, TensorInfo> factors, AdapterConfig config, string weightsPath)
    {
        foreach (var cp in new[] { "hada_t1", "hada_t2", "lokr_t2" })
            if (factors.ContainsKey(cp))
                throw new LoraException(ErrorCodes.UnsupportedAdapterFeature,
                    $"Module {moduleKey} has {cp}: the CP-decomposed convolution factors of use_effective_conv2d are not supported; LoHa and LoKr merge on Linear layers.",
                    weightsPath);
        foreach (var t in factors.Values)
            if (t.Rank != 2)
                throw Incomplete(moduleKey, $"has {t.Name} of shape {t.ShapeText}; LoHa, LoKr and IA3 factors of Linear layers are matrices", weightsPath);

        return config.Kind switch
        {
            PeftKind.LoHa => LoHa(moduleKey, factors, config, weightsPath),
            PeftKind.LoKr => LoKr(moduleKey, factors, config, weightsPath),
            PeftKind.Ia3 => Ia3(moduleKey, factors, weightsPath),
            _ => throw new InvalidOperationException(config.Kind.ToString()),
        };
    }

    private static VariantModule LoHa(string moduleKey, IReadOnlyDictionary<string, TensorInfo> f, AdapterConfig config, string weightsPath)
    {
        var w1a = Require(f, "hada_w1_a", moduleKey, weightsPath);
        var w1b = Require(f, "hada_w1_b", moduleKey, weightsPath);
        var w2a = Require(f, "hada_w2_a", moduleKey, weightsPath);
        var w2b = Require(f, "hada_w2_b", moduleKey, weightsPath);
        long r = w1a.Shape[1];
        if (w1b.Shape[0] != r || w2a.Shape[1] != r || w2b.Shape[0] != r
            || w2a.Shape[0] != w1a.Shape[0] || w2b.Shape[1] != w1b.Shape[1])
            throw Incomplete(moduleKey,
                $"has LoHa factors hada_w1_a {w1a.ShapeText}, hada_w1_b {w1b.ShapeText}, hada_w2_a {w2a.ShapeText}, hada_w2_b {w2b.ShapeText}; expected (out, r), (r, in), (out, r), (r, in)",
                weightsPath);
        CheckRank(moduleKey, config, r, w1a, weightsPath);
        return new VariantModule(moduleKey, PeftKind.LoHa, f, (int)r, config.AlphaFor(moduleKey));
    }

    private static VariantModule LoKr(string moduleKey, IReadOnlyDictionary<string, TensorInfo> f, AdapterConfig config, string weightsPath)
    {
        CheckKroneckerFactor(moduleKey, f, "lokr_w1", config, weightsPath);
        CheckKroneckerFactor(moduleKey, f, "lokr_w2", config, weightsPath);
        return new VariantModule(moduleKey, PeftKind.LoKr, f, config.RankFor(moduleKey), config.AlphaFor(moduleKey));
    }

    // Either the full factor (lokr_w1) or its low-rank pair (lokr_w1_a (a, r) and lokr_w1_b (r, c)).
    private static void CheckKroneckerFactor(string moduleKey, IReadOnlyDictionary<string, TensorInfo> f, string name, AdapterConfig config, string weightsPath)
    {
        bool full = f.ContainsKey(name);
        bool a = f.TryGetValue(name + "_a", out var left), b = f.TryGetValue(name + "_b", out var right);
        if (full && (a || b))
            throw Incomplete(moduleKey, $"has both {name} and its low-rank factors {name}_a/{name}_b", weightsPath);
        if (full)
            return;
        if (!a || !b)
            throw Incomplete(moduleKey, $"has no {name}, and not both of {name}_a and {name}_b", weightsPath);
        if (left!.Shape[1] != right!.Shape[0])
            throw Incomplete(moduleKey, $"has {name}_a {left.ShapeText} and {name}_b {right.ShapeText}, which do not multiply", weightsPath);
        CheckRank(moduleKey, config, left.Shape[1], left, weightsPath);
    }

    private static VariantModule Ia3(string moduleKey, IReadOnlyDictionary<string, TensorInfo> f, string weightsPath)
    {
        var l = Require(f, "ia3_l", moduleKey, weightsPath);
        if (l.Shape[0] != 1 && l.Shape[1] != 1)
            throw Incomplete(moduleKey, $"has ia3_l of shape {l.ShapeText}; expected (out, 1) or, for a feed-forward module, (1, in)", weightsPath);
        return new VariantModule(moduleKey, PeftKind.Ia3, f, 0, 0);
    }

    private static void CheckRank(string moduleKey, AdapterConfig config, long rank, TensorInfo tensor, string weightsPath)
    {
        int configRank = config.RankFor(moduleKey);
        if (rank == configRank)
            return;
        string source = config.RankPattern.MatchingKey(moduleKey) is { } key ? $"rank_pattern[\"{key}\"]" : "r";
        throw new LoraException(ErrorCodes.InvalidAdapterValue,
            $"Module {moduleKey} has rank {rank} in the adapter file ({tensor.Name} is {tensor.ShapeText}), but adapter_config.json gives {source} = {configRank}.",
            weightsPath);
    }

    private static TensorInfo Require(IReadOnlyDictionary<string, TensorInfo> f, string name, string moduleKey, string weightsPath) =>
        f.TryGetValue(name, out var t) ? t : throw Incomplete(moduleKey, $"has no {name} tensor", weightsPath);

    private static LoraException Incomplete(string subject, string problem, string weightsPath) =>
        new(ErrorCodes.IncompleteLoraPair, $"Module {subject} {problem}.", weightsPath);
}
