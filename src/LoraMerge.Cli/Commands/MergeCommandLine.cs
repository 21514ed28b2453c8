using System.CommandLine;
using System.Globalization;
using System.CommandLine.Parsing;
using LoraMerge.Cli.Parsing;
using LoraMerge.Merging;

namespace LoraMerge.Cli.Commands;

/// <summary>The options of <c>lora-merge merge</c> and their validation (no behaviour).</summary>
internal sealed class MergeCommandLine
{
    public const string Examples = """
        lora-merge merge --base ./Llama-3.2-1B --adapter ./math-lora --out ./merged
        lora-merge merge --base ./base --adapter ./a --adapter ./b --weight 0.7 --weight 0.3 --out ./ab
        lora-merge merge --base ./base --adapter ./a --out ./merged --max-shard-size 2GB --threads 4 --force
        lora-merge merge --base ./base --adapter ./a --out ./merged --format gguf --gguf-type q8_0
        lora-merge merge --request obj/Release/net10.0/lora/Math.merge.json
        """;

    public Option<string> Base { get; } = new("--base")
    {
        Description = "Base model folder (Hugging Face layout: config.json plus *.safetensors, optionally sharded with model.safetensors.index.json).",
        HelpName = "DIR",
    };

    public Option<string[]> Adapters { get; } = new("--adapter")
    {
        Description = "PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors). Repeat to merge several adapters, applied in the order given.",
        HelpName = "DIR",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<double[]> Weights { get; } = new("--weight")
    {
        Description = "Weight of an adapter's delta (W' = W + weight * scaling * B * A). The n-th --weight pairs with the n-th --adapter; adapters without one get 1. More weights than adapters is an error.",
        HelpName = "W",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = true,
        CustomParser = ParseWeights,
    };

    public Option<bool> SafeMerge { get; } = new("--safe-merge")
    {
        Description = "Abort if a merged tensor contains NaN or infinity (the default).",
        Arity = ArgumentArity.Zero,
    };

    public Option<bool> NoSafeMerge { get; } = new("--no-safe-merge")
    {
        Description = "Do not check merged tensors for NaN or infinity (slightly faster).",
        Arity = ArgumentArity.Zero,
    };

    public Option<string> Rounding { get; } = new("--rounding")
    {
        Description = "single (the default): round each merged value once, the most accurate. peft: round where PEFT's merge_and_unload() rounds in between (after each adapter on a half-precision base, embedding deltas, and with safe merge each LoRA delta), so the bytes equal PEFT's; use --no-safe-merge for PEFT's default safe_merge=False.",
        HelpName = "single|peft",
        DefaultValueFactory = _ => "single",
    };

    public Option<string?> Combination { get; } = new("--combination")
    {
        Description = "Combine the adapters first, as PEFT's add_weighted_adapter(combination_type=TYPE) does, and merge the combined adapter: cat, linear, svd, ties, ties_svd, dare_linear, dare_ties, dare_linear_svd, dare_ties_svd, magnitude_prune or magnitude_prune_svd (docs/merge-semantics.md). Default: merge every adapter's own delta (their weighted sum).",
        HelpName = "TYPE",
    };

    public Option<double?> Density { get; } = new("--density")
    {
        Description = "With --combination ties, dare_* or magnitude_prune*: the fraction of values kept (0 to 1; 1 prunes nothing).",
        HelpName = "X",
    };

    public Option<string> MajoritySignMethod { get; } = new("--majority-sign-method")
    {
        Description = "With --combination ties* or dare_ties*: elect each sign by the sum of the values (total, the default) or by how many have it (frequency).",
        HelpName = "total|frequency",
        DefaultValueFactory = _ => "total",
    };

    public Option<int?> SvdRank { get; } = new("--svd-rank")
    {
        Description = "With an _svd --combination: the combined adapter's rank. Default: the largest rank of the adapters.",
        HelpName = "N",
    };

    public Option<ulong?> Seed { get; } = new("--seed")
    {
        Description = "With --combination dare_*: the seed of DARE's random pruning (default 0); the same seed gives the same bytes on every machine.",
        HelpName = "N",
    };

    public Option<long?> MaxShardSize { get; } = new("--max-shard-size")
    {
        Description = "Re-shard the output so no file exceeds SIZE: " + ByteSize.FormatHelp + ", e.g. 500MB, 5GB, 2GiB. Default: keep the base model's shard layout.",
        HelpName = "SIZE",
        CustomParser = ParseSize,
    };

    public Option<int> Threads { get; } = new("--threads")
    {
        Description = "Merge threads; 0 (the default) uses every core but one, which hashes the output while it is written.",
        HelpName = "N",
    };

    public Option<string> Backend { get; } = new("--backend")
    {
        Description = "Where the merge is computed: auto (CUDA when a usable GPU is present, else CPU), cpu, or cuda (fails if no GPU).",
        HelpName = "auto|cpu|cuda",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string> Format { get; } = new("--format")
    {
        Description = "What to write: safetensors (the base's layout, the default), gguf (one model.gguf for llama.cpp / LLamaSharp), or both as safetensors,gguf (one pass).",
        HelpName = "safetensors|gguf|safetensors,gguf",
        DefaultValueFactory = _ => "safetensors",
    };

    public Option<string?> GgufType { get; } = new("--gguf-type")
    {
        Description = "Type of the GGUF's matrices: f32, f16, bf16 or q8_0 (vectors stay f32). Default: the base's own float type.",
        HelpName = "f32|f16|bf16|q8_0",
    };

    public Option<bool> NoFsync { get; } = new("--no-fsync")
    {
        Description = "Do not flush the merged files to the disk before publishing them (faster; a power cut soon after may then leave an empty model). By default every file and folder is flushed before the rename that publishes it.",
        Arity = ArgumentArity.Zero,
    };

    public Option<string?> Store { get; } = new("--store")
    {
        Description = "A merge store folder (docs/cli.md): a merge with the same inputs, by content, and options as one it holds is hard-linked from it instead of computed, and a new merge is added to it. The build uses obj/lora-store/.",
        HelpName = "DIR",
    };

    public Option<string> Out { get; } = new("--out")
    {
        Description = "Output folder for the merged model. It must not exist or be empty, unless --force is given.",
        HelpName = "DIR",
    };

    public Option<string[]> Requests { get; } = new("--request")
    {
        Description = "Merge as the build asks: a request file written by the LoraMerge build step (docs/msbuild.md) holds every option. Repeat for several models. Output is for the build log: progress lines and errors in MSBuild's form, at the <LoraAdapter> line. No other merge option may be given.",
        HelpName = "FILE",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<bool> Force { get; } = new("--force")
    {
        Description = "Replace the --out folder if it exists and is not empty (it is replaced only after the merge succeeded).",
        Arity = ArgumentArity.Zero,
    };

    public MergeCommandLine()
    {
        Backend.AcceptOnlyFromAmong("auto", "cpu", "cuda");
        Rounding.AcceptOnlyFromAmong("single", "peft");
        Combination.AcceptOnlyFromAmong([.. CombinationTypes.Names]);
        MajoritySignMethod.AcceptOnlyFromAmong("total", "frequency");
        Threads.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0) result.AddError("--threads must be 0 (automatic) or a positive number.");
        });
    }

    public Command CreateCommand()
    {
        var command = new Command("merge", "Merge one or more PEFT LoRA adapters into a base model and write the merged model folder.")
        {
            Base, Adapters, Weights, SafeMerge, NoSafeMerge, Rounding, Combination, Density, MajoritySignMethod, SvdRank, Seed, MaxShardSize, Threads, Backend, Format, GgufType, NoFsync, Store, Out, Force, Requests,
        };
        command.Validators.Add(ValidateCombination);
        return command;
    }

    private void ValidateCombination(CommandResult result)
    {
        if (result.GetResult(Requests) is not null)
        {
            // A request holds every option, so nothing else may be given beside it.
            if (result.Children.OfType<OptionResult>().Any(o => o.Option != Requests && !o.Implicit))
                result.AddError("--request takes no other merge option: the request file holds them all.");
            return;
        }
        foreach (var required in new Option[] { Base, Adapters, Out })
        {
            if (result.GetResult(required) is null) result.AddError($"Option '{required.Name}' is required.");
        }
        // Token counts, not values: a value that failed to convert has its own error already.
        int adapters = result.GetResult(Adapters)?.Tokens.Count ?? 0;
        int weights = result.GetResult(Weights)?.Tokens.Count ?? 0;
        if (AdapterWeights.Validate(adapters, weights) is { } pairingError) result.AddError(pairingError);
        if (result.GetValue(Combination) is null
            && new Option[] { Density, SvdRank, Seed }.Any(o => result.GetResult(o) is { Implicit: false }))
            result.AddError("--density, --svd-rank and --seed apply to a --combination only.");
        if (result.GetValue(SafeMerge) && result.GetValue(NoSafeMerge))
            result.AddError("--safe-merge and --no-safe-merge cannot be used together.");
    }

    private static double[] ParseWeights(ArgumentResult result)
    {
        var weights = new double[result.Tokens.Count];
        for (int i = 0; i < weights.Length; i++)
        {
            var text = result.Tokens[i].Value;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out weights[i]) || !double.IsFinite(weights[i]))
                result.AddError($"--weight: '{text}' is not a finite number (use a '.' decimal point, e.g. 0.5).");
        }
        return weights;
    }

    private static long? ParseSize(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (ByteSize.TryParse(text, out var bytes, out var error)) return bytes;
        result.AddError("--max-shard-size: " + error + ".");
        return null;
    }
}
