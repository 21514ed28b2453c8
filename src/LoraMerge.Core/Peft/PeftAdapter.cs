using LoraMerge.Diagnostics;
using LoraMerge.FileSystem;
using LoraMerge.Formats;

namespace LoraMerge.Peft;

/// <summary>
/// A PEFT LoRA adapter folder: adapter_config.json and the header (not the data) of adapter_model.safetensors, with the
/// tensors sorted into LoRA modules, full replacements of base tensors and trainable-token rows.
/// </summary>
public sealed class PeftAdapter
{
    public const string WeightsFileName = "adapter_model.safetensors";
    public const string LegacyWeightsFileName = "adapter_model.bin";

    private PeftAdapter(
        string directory,
        AdapterConfig config,
        string weightsPath,
        SafetensorsHeader header,
        IReadOnlyList<LoraModule> modules,
        IReadOnlyList<VariantModule> variantModules,
        IReadOnlyList<ReplacementTensor> replacements,
        IReadOnlyList<TrainableTokens> trainableTokens)
    {
        Directory = directory;
        Config = config;
        WeightsPath = weightsPath;
        Header = header;
        Modules = modules;
        VariantModules = variantModules;
        Replacements = replacements;
        TrainableTokens = trainableTokens;
    }

    /// <summary>The adapter folder, as a full path.</summary>
    public string Directory { get; }

    public AdapterConfig Config { get; }

    public string ConfigPath => Config.Path;

    /// <summary>adapter_model.safetensors.</summary>
    public string WeightsPath { get; }

    public SafetensorsHeader Header { get; }

    /// <summary>The LoRA-adapted modules, in the order their lora_A tensors appear in the file header.</summary>
    public IReadOnlyList<LoraModule> Modules { get; }

    /// <summary>The LoHa, LoKr or IA3 modules (empty for a LoRA adapter), in the order their first tensor appears in the file header.</summary>
    public IReadOnlyList<VariantModule> VariantModules { get; }

    /// <summary>Full tensors that replace base tensors (modules_to_save, trained biases, saved embeddings), in file order.</summary>
    public IReadOnlyList<ReplacementTensor> Replacements { get; }

    /// <summary>Embedding rows that replace base rows, in file order.</summary>
    public IReadOnlyList<TrainableTokens> TrainableTokens { get; }

    /// <summary>Reads and checks an adapter folder; no tensor data is read.</summary>
    /// <exception cref="LoraException">
    /// <see cref="ErrorCodes.FileNotFound"/>, <see cref="ErrorCodes.AdapterConfig"/>, <see cref="ErrorCodes.UnsupportedPeftType"/>,
    /// <see cref="ErrorCodes.UnsupportedAdapterFeature"/>, <see cref="ErrorCodes.InvalidAdapterValue"/>,
    /// <see cref="ErrorCodes.LegacyAdapterBin"/>, <see cref="ErrorCodes.AdapterWeightsMissing"/>,
    /// <see cref="ErrorCodes.IncompleteLoraPair"/>, <see cref="ErrorCodes.UnrecognisedAdapterTensor"/>, or a safetensors header error.
    /// </exception>
    public static PeftAdapter Open(string adapterDirectory)
    {
        string directory = System.IO.Path.GetFullPath(adapterDirectory);
        InputFilePolicy.CheckFolderName(directory, "adapter");
        if (!System.IO.Directory.Exists(directory))
            throw new LoraException(ErrorCodes.FileNotFound, "The adapter folder does not exist.", directory);

        InputFilePolicy.Check(directory, System.IO.Path.Combine(directory, AdapterConfig.FileName));
        InputFilePolicy.Check(directory, System.IO.Path.Combine(directory, WeightsFileName));
        var config = AdapterConfig.Read(System.IO.Path.Combine(directory, AdapterConfig.FileName));
        if (config.UnsupportedFeatures.Count > 0)
        {
            throw new LoraException(
                ErrorCodes.UnsupportedAdapterFeature,
                "The adapter uses settings LoraMerge cannot merge: " + string.Join("; ", config.UnsupportedFeatures) + ".",
                config.Path);
        }

        string weightsPath = System.IO.Path.Combine(directory, WeightsFileName);
        CheckWeightsExist(directory, weightsPath);
        var header = SafetensorsHeader.Read(weightsPath);
        if (header.Tensors.Count == 0)
            throw new LoraException(ErrorCodes.AdapterWeightsMissing, "adapter_model.safetensors holds no tensors.", weightsPath);

        var grouper = new AdapterTensorGrouper(config, weightsPath);
        foreach (var tensor in header.Tensors) grouper.Add(tensor);
        var modules = grouper.BuildModules();
        var variantModules = grouper.BuildVariantModules();
        return new PeftAdapter(directory, config, weightsPath, header, modules, variantModules, grouper.Replacements, grouper.TrainableTokens);
    }

    private static void CheckWeightsExist(string directory, string weightsPath)
    {
        if (File.Exists(weightsPath)) return;
        string legacyPath = System.IO.Path.Combine(directory, LegacyWeightsFileName);
        if (File.Exists(legacyPath))
        {
            throw new LoraException(
                ErrorCodes.LegacyAdapterBin,
                "The adapter is saved as adapter_model.bin (a pickle file), which LoraMerge does not read. Convert it once with PEFT: " +
                "PeftModel.from_pretrained(base_model, \"<adapter folder>\").save_pretrained(\"<new folder>\", safe_serialization=True), " +
                "or with torch and safetensors: safetensors.torch.save_file(torch.load(\"adapter_model.bin\"), \"adapter_model.safetensors\").",
                legacyPath);
        }
        throw new LoraException(
            ErrorCodes.AdapterWeightsMissing,
            "The adapter folder has adapter_config.json but no adapter_model.safetensors.",
            weightsPath);
    }
}
