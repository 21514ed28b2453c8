using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Peft;

namespace LoraMerge.Merging;

/// <summary>
/// Preflight of a combination (PEFT's <c>_check_add_weighted_adapter</c> and what <c>add_weighted_adapter</c> then
/// does per module), from headers only: checks the adapters can be combined and turns each targeted module's LoRA terms
/// into one <see cref="CombinedTerm"/>.
/// </summary>
internal static class CombinationPlanner
{
    /// <summary>
    /// What each adapter's config and tensors alone rule out (LORA1211, LORA1212), checked before the adapters' tensors
    /// are planned, so that a refused adapter is reported as such and not as a conflict between the adapters' parts.
    /// </summary>
    public static void CheckAdapters(MergeOptions options, IReadOnlyList<PeftAdapter> adapters)
    {
        if (options.Combination is null)
            return;
        foreach (var adapter in adapters)
            CheckCombinable(adapter);
        CheckTargetModulesKinds(adapters);
    }

    /// <summary>Turns the jobs' LoRA terms into combined terms (after <see cref="CheckAdapters"/>).</summary>
    public static void Apply(MergeOptions options, IReadOnlyList<PeftAdapter> adapters, IEnumerable<TensorJob> jobs)
    {
        if (options.Combination is not { } combination)
            return;
        // PEFT: "if there is only one adapter, we can only use linear merging".
        var type = adapters.Count == 1 ? CombinationType.Linear : combination.Type;
        var ranks = adapters.Select(ConfigRank).ToArray();
        if (CombinationTypes.CombinesFactors(type) && ranks.Distinct().Count() > 1)
            throw new LoraException(ErrorCodes.CombinationRankMismatch,
                $"Combination {CombinationTypes.Name(type)} adds the adapters' A and B factors, so every adapter must have the same rank, but they have {string.Join(", ", ranks)} (r, or the largest of r and rank_pattern, as PEFT compares them). Use cat or an _svd type.",
                adapters[ranks.Select((r, i) => (r, i)).First(x => x.r != ranks[0]).i].ConfigPath);
        int newRank = type switch
        {
            CombinationType.Cat => ranks.Sum(),
            _ when CombinationTypes.IsSvd(type) => combination.SvdRank ?? ranks.Max(),
            _ => ranks[0],
        };
        // The combined adapter's config is adapters[0]'s with r = lora_alpha = new rank (rsLoRA kept).
        float scale = adapters[0].Config.UseRsLora ? (float)(newRank / Math.Sqrt(newRank)) : (float)((double)newRank / newRank);
        bool peftRounding = options.Rounding == MergeRounding.Peft;

        foreach (var job in jobs)
        {
            if (job.Terms.Count == 0)
                continue;
            bool half = job.Base.DType != DType.F32;
            foreach (var module in job.Terms.GroupBy(t => t.ModuleKey, StringComparer.Ordinal).ToArray())
            {
                var terms = module.ToArray();
                var inputs = terms.Select(t => new CombinationInput(t.AdapterIndex, t.A, t.B,
                    options.Adapters[t.AdapterIndex].Weight, adapters[t.AdapterIndex].Config.ScalingFor(t.ModuleKey))).ToArray();
                if (CombinationTypes.CombinesFactors(type) && inputs.Any(i => !SameShape(i.A, inputs[0].A) || !SameShape(i.B, inputs[0].B)))
                    throw new LoraException(ErrorCodes.CombinationRankMismatch,
                        $"Combination {CombinationTypes.Name(type)} stacks the A and B factors of '{module.Key}', but the adapters' factors differ in shape ({string.Join(", ", inputs.Select(i => i.A.ShapeText))}).",
                        adapters[inputs.First(i => !SameShape(i.A, inputs[0].A) || !SameShape(i.B, inputs[0].B)).AdapterIndex].WeightsPath);
                if (CombinationTypes.IsSvd(type) && job.Base.Shape.Length is not (2 or 4))
                    throw new LoraException(ErrorCodes.CombinationUnsupported,
                        $"'{job.Name}' has shape {job.Base.Tensor.ShapeText}; PEFT's _svd combinations handle Linear, Embedding and Conv2d layers only.",
                        adapters[inputs[0].AdapterIndex].WeightsPath);
                // cat writes into the new adapter's factors, which PEFT creates in the base dtype; the others assign f32
                // factors. Every delta of a half-precision adapter (cat) or a cast merge is rounded before the add.
                bool castsDelta = peftRounding && half && (type == CombinationType.Cat || terms.Any(t => t.CastsDelta));
                job.Add(new CombinedTerm(module.Key, terms[0].Orientation, inputs, type, combination, newRank, scale,
                    RoundsFactors: peftRounding && half && type == CombinationType.Cat, castsDelta));
            }
            job.RemoveAdapterTerms();
        }
    }

    private static bool SameShape(TensorInfo x, TensorInfo y) => x.Shape.AsSpan().SequenceEqual(y.Shape);

    /// <summary>PEFT's rank of an adapter for the check and the new rank: <c>r</c>, or the largest of <c>r</c> and its <c>rank_pattern</c> values.</summary>
    private static int ConfigRank(PeftAdapter adapter) =>
        adapter.Config.RankPattern.Count == 0 ? adapter.Config.Rank : adapter.Config.RankPattern.Patterns.Select(p => p.Value).Append(adapter.Config.Rank).Max();

    private static void CheckCombinable(PeftAdapter adapter)
    {
        string? why =
            adapter.Config.Kind != PeftKind.Lora ? $"it is a {adapter.Config.PeftType} adapter (add_weighted_adapter combines LoRA adapters)"
            : adapter.Config.UseDora ? "it uses DoRA (use_dora), whose magnitude vector add_weighted_adapter does not combine"
            : adapter.Config.LoraBias ? "it trains lora_B biases (lora_bias), which add_weighted_adapter does not combine"
            : adapter.Replacements.Count > 0 ? FullTensors(adapter.Replacements[0])
            : adapter.TrainableTokens.Count > 0 ? "it has trainable tokens, which add_weighted_adapter does not combine"
            : null;
        if (why is not null)
            throw new LoraException(ErrorCodes.CombinationUnsupported, $"The adapter cannot be combined: {why}. Merge without a combination type.", adapter.ConfigPath);
    }

    private static string FullTensors(ReplacementTensor saved) => saved.Kind switch
    {
        ReplacementKind.ModulesToSave => $"it saves '{saved.BaseTensorName}' in full (modules_to_save), which add_weighted_adapter does not combine",
        ReplacementKind.Bias => $"it trains the base bias '{saved.BaseTensorName}' (bias \"all\" or \"lora_only\"), which add_weighted_adapter does not combine",
        _ => $"it saves the embedding '{saved.BaseTensorName}' in full, which add_weighted_adapter does not combine",
    };

    /// <summary>PEFT refuses to combine a target_modules regex string with a list (a set once loaded; "all-linear" becomes one).</summary>
    private static void CheckTargetModulesKinds(IReadOnlyList<PeftAdapter> adapters)
    {
        bool firstIsRegex = adapters[0].Config.TargetModules.Kind == TargetModulesKind.Regex;
        foreach (var adapter in adapters)
            if ((adapter.Config.TargetModules.Kind == TargetModulesKind.Regex) != firstIsRegex)
                throw new LoraException(ErrorCodes.CombinationTargetModulesMismatch,
                    "The adapters to combine write target_modules differently (a regex string in some, a list in others); PEFT's add_weighted_adapter refuses that mix.",
                    adapter.ConfigPath);
    }
}
