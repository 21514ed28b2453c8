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

    private static LoraException Invalid(string message) => new(ErrorCodes.InvalidMergeOptions, message);
}
