using System.Globalization;
using LoraMerge.Cli.Parsing;
using LoraMerge.Peft;

namespace LoraMerge.Cli.Inspect;

/// <summary>Prints what <c>lora-merge inspect</c> shows for a PEFT adapter folder.</summary>
internal static class AdapterSummaryWriter
{
    public static void Write(PeftAdapter adapter, TextWriter writer, int? maxRows)
    {
        var c = CultureInfo.InvariantCulture;
        var config = adapter.Config;
        var tensors = adapter.Header.Tensors;
        long totalBytes = tensors.Sum(t => t.ByteLength);

        writer.WriteLine($"Adapter folder: {adapter.Directory}");
        writer.WriteLine($"  peft type: {config.PeftType}" + (config.PeftVersion is { } version ? $" (peft {version})" : ""));
        if (config.BaseModelNameOrPath is { } baseName) writer.WriteLine($"  base model: {baseName}");
        writer.WriteLine(string.Create(c,
            $"  r: {config.Rank}, lora_alpha: {config.Alpha}, rslora: {YesNo(config.UseRsLora)}, dora: {YesNo(config.UseDora)}, lora_bias: {YesNo(config.LoraBias)}, bias: {BiasName(config.Bias)}"));
        writer.WriteLine($"  rank_pattern: {FormatPatterns(config.RankPattern.Patterns)}");
        writer.WriteLine($"  alpha_pattern: {FormatPatterns(config.AlphaPattern.Patterns)}");
        writer.WriteLine($"  target_modules: {config.TargetModules}");
        if (!config.ExcludeModules.IsEmpty) writer.WriteLine($"  exclude_modules: {config.ExcludeModules}");
        if (config.LayersToTransform is { } layers) writer.WriteLine($"  layers_to_transform: [{string.Join(", ", layers)}]");
        if (config.LayersPattern is { } layersPattern) writer.WriteLine($"  layers_pattern: [{string.Join(", ", layersPattern)}]");
        if (config.ModulesToSave.Count > 0) writer.WriteLine($"  modules_to_save: [{string.Join(", ", config.ModulesToSave)}]");
        if (config.InitLoraWeights is { } init) writer.WriteLine($"  init_lora_weights: {init}");
        writer.WriteLine(string.Create(c, $"  tensors: {tensors.Count}, {ByteSize.Format(totalBytes)} ({totalBytes} bytes)"));
        writer.WriteLine($"  dtypes: {Shapes.CountByDType(tensors.Select(t => t.DType))}");
        writer.WriteLine(string.Create(c,
            $"  modules found: {adapter.Modules.Count}, replaced tensors: {adapter.Replacements.Count}, trainable-token tensors: {adapter.TrainableTokens.Count}"));

        writer.WriteLine();
        writer.WriteLine("Targets (LoRA modules; the base tensor <module>.weight receives the delta):");
        var modules = new TextTable("module", "kind", "rank", "alpha", "scaling", "lora_A", "lora_B", "extras");
        foreach (var module in adapter.Modules)
        {
            modules.Add(
                module.ModuleKey,
                module.Kind.ToString(),
                module.Rank.ToString(c),
                module.Alpha.ToString("G", c),
                config.ScalingFor(module.ModuleKey).ToString("G6", c),
                $"{module.A.DType} {Shapes.Format(module.A.Shape)}",
                $"{module.B.DType} {Shapes.Format(module.B.Shape)}",
                Extras(module));
        }
        modules.Write(writer, maxRows);

        if (adapter.Replacements.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Replaced tensors (written over the base tensor of the same name):");
            var replacements = new TextTable("base tensor", "why", "dtype", "shape");
            foreach (var replacement in adapter.Replacements)
            {
                replacements.Add(replacement.BaseTensorName, replacement.Kind.ToString(),
                    replacement.Source.DType.ToString(), Shapes.Format(replacement.Source.Shape));
            }
            replacements.Write(writer, maxRows);
        }

        if (adapter.TrainableTokens.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Trainable tokens (rows written over base embedding rows):");
            var tokens = new TextTable("base tensor", "rows", "indices");
            foreach (var trainable in adapter.TrainableTokens)
            {
                var indices = string.Join(", ", trainable.Indices.Take(8)) + (trainable.Indices.Length > 8 ? ", ..." : "");
                tokens.Add(trainable.BaseTensorName, trainable.Indices.Length.ToString(c), indices);
            }
            tokens.Write(writer, maxRows);
        }
    }

    /// <summary>The adapter_config.json spelling: none, all, lora_only.</summary>
    private static string BiasName(BiasMode bias) => bias switch
    {
        BiasMode.None => "none",
        BiasMode.All => "all",
        BiasMode.LoraOnly => "lora_only",
        _ => bias.ToString(),
    };

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string FormatPatterns<T>(IReadOnlyList<KeyValuePair<string, T>> patterns) =>
        patterns.Count == 0
            ? "{}"
            : "{" + string.Join(", ", patterns.Select(p => string.Create(CultureInfo.InvariantCulture, $"\"{p.Key}\": {p.Value}"))) + "}";

    private static string Extras(LoraModule module)
    {
        var extras = new List<string>();
        if (module.Magnitude is not null) extras.Add("dora magnitude");
        if (module.BBias is not null) extras.Add("lora_B bias");
        return string.Join(", ", extras);
    }
}
