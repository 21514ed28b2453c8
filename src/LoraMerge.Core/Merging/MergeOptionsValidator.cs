using LoraMerge.Diagnostics;

namespace LoraMerge.Merging;

internal static class MergeOptionsValidator
{
    public static void Validate(MergeOptions options)
    {
        if (options.Adapters.Count == 0)
            throw Invalid("At least one adapter is needed.");
        foreach (var a in options.Adapters)
            if (!double.IsFinite(a.Weight))
                throw Invalid($"The weight of adapter '{a.Directory}' is {a.Weight}; weights must be finite numbers.");
        if (!Enum.IsDefined(options.Rounding))
            throw Invalid($"The rounding must be single or peft, not {options.Rounding}.");
        if (options.Combination is { } combination)
            ValidateCombination(combination, options.Adapters.Count);
        if (options.Threads < 0)
            throw Invalid($"Threads must be 0 (all cores) or more, not {options.Threads}.");
        if (options.MaxShardSize is <= 0)
            throw Invalid($"The maximum shard size must be positive, not {options.MaxShardSize}.");
        if (options.Formats == 0 || (options.Formats & ~(OutputFormats.Safetensors | OutputFormats.Gguf)) != 0)
            throw Invalid($"The output formats must be safetensors, gguf or both, not {options.Formats}.");
        if (options.GgufType is not null && !options.Formats.HasFlag(OutputFormats.Gguf))
            throw Invalid("A GGUF type was given but the output has no GGUF file.");
        // Replacing the output folder would destroy an input that is it or lies inside it.
        foreach (var input in options.Adapters.Select(a => a.Directory).Prepend(options.BaseModelDirectory))
            if (Requests.PathContainment.IsSameOrInside(input, options.OutputDirectory))
                throw Invalid($"The output folder must not be an input folder or contain one ({input}).");
        if (options.Store is { } store)
        {
            // The store's entries are links to output files: inside an input or the output they would be merged or replaced.
            foreach (var folder in options.Adapters.Select(a => a.Directory).Prepend(options.BaseModelDirectory).Append(options.OutputDirectory))
                if (Requests.PathContainment.IsSameOrInside(store, folder) || Requests.PathContainment.IsSameOrInside(folder, store))
                    throw Invalid($"The merge store must not be, contain or lie inside an input or the output folder ({folder}).");
        }
    }

    private static void ValidateCombination(AdapterCombination combination, int adapters)
    {
        if (!Enum.IsDefined(combination.Type) || !Enum.IsDefined(combination.MajoritySign))
            throw Invalid($"The combination type must be one of {string.Join(", ", CombinationTypes.Names)}.");
        if (combination.Density is { } density && (!double.IsFinite(density) || density < 0))
            throw Invalid($"The combination density must be a number of 0 or more (1 prunes nothing), not {density}.");
        // With one adapter PEFT combines with linear whatever the type, so only then is a density not needed.
        if (combination.Density is null && CombinationTypes.NeedsDensity(combination.Type) && adapters > 1)
            throw Invalid($"The combination type {CombinationTypes.Name(combination.Type)} prunes, so it needs a density (0 to 1: the fraction of values kept).");
        if (combination.SvdRank is <= 0)
            throw Invalid($"The SVD rank must be positive, not {combination.SvdRank}.");
    }

    private static LoraException Invalid(string message) => new(ErrorCodes.InvalidMergeOptions, message);
}
