using LoraMerge.Diagnostics;
using LoraMerge.FileSystem;
using LoraMerge.Formats;

namespace LoraMerge.Models;

/// <summary>
/// A Hugging Face model folder as one object: config.json, the safetensors weights (one file or shards with
/// model.safetensors.index.json) and the companion files (tokenizer, generation config, ...) that travel with it.
/// </summary>
public sealed class ModelDirectory
{
    private ModelDirectory(string path, ModelConfig config, ShardedCheckpoint weights, IReadOnlyList<string> companionFiles)
    {
        Path = path;
        Config = config;
        Weights = weights;
        CompanionFiles = companionFiles;
    }

    /// <summary>The folder, as a full path.</summary>
    public string Path { get; }

    public ModelConfig Config { get; }

    public string ConfigPath => Config.Path;

    /// <summary>The weights, opened eagerly (headers only).</summary>
    public ShardedCheckpoint Weights { get; }

    /// <summary>
    /// File names, relative to <see cref="Path"/> and sorted ordinally, of the files to copy next to merged weights;
    /// see <see cref="ModelFolderLayout"/> for the rule.
    /// </summary>
    public IReadOnlyList<string> CompanionFiles { get; }

    /// <exception cref="LoraException">
    /// <see cref="ErrorCodes.FileNotFound"/> (no such folder), <see cref="ErrorCodes.ModelConfig"/> (config.json missing or
    /// invalid), <see cref="ErrorCodes.ModelHasNoWeights"/> (no safetensors weights), or a safetensors/index error.
    /// </exception>
    public static ModelDirectory Open(string path)
    {
        string directory = System.IO.Path.GetFullPath(path);
        InputFilePolicy.CheckFolderName(directory, "model");
        if (!Directory.Exists(directory))
            throw new LoraException(ErrorCodes.FileNotFound, "The model folder does not exist.", directory);

        var fileNames = ModelFolderLayout.RootFileNames(directory);
        foreach (var name in fileNames.Append(ModelFolderLayout.ConfigFileName))
            InputFilePolicy.Check(directory, System.IO.Path.Combine(directory, name));
        var config = ModelConfig.Read(System.IO.Path.Combine(directory, ModelFolderLayout.ConfigFileName));
        CheckHasSafetensors(directory, fileNames);
        var weights = ShardedCheckpoint.Open(directory);
        var companions = fileNames.Where(ModelFolderLayout.IsCompanion).ToList();
        return new ModelDirectory(directory, config, weights, companions);
    }

    private static void CheckHasSafetensors(string directory, List<string> fileNames)
    {
        if (fileNames.Contains(ShardedCheckpoint.SingleFileName) || fileNames.Contains(ShardedCheckpoint.IndexFileName)) return;

        var otherSafetensors = fileNames.Where(ModelFolderLayout.IsSafetensorsWeight).ToList();
        if (otherSafetensors.Count > 0)
        {
            throw new LoraException(
                ErrorCodes.ModelHasNoWeights,
                $"The model folder has safetensors files ({string.Join(", ", otherSafetensors)}) but neither {ShardedCheckpoint.SingleFileName} " +
                $"nor {ShardedCheckpoint.IndexFileName}; LoraMerge reads the weights of a transformers model folder under those names.",
                directory);
        }
        var pickles = fileNames.Where(ModelFolderLayout.IsPickleWeight).ToList();
        if (pickles.Count > 0)
        {
            throw new LoraException(
                ErrorCodes.ModelHasNoWeights,
                $"The model folder has only PyTorch pickle weights ({string.Join(", ", pickles)}); LoraMerge reads only safetensors. " +
                "Convert the model once with transformers: AutoModelForCausalLM.from_pretrained(\"<folder>\").save_pretrained(\"<new folder>\", safe_serialization=True) " +
                "(with the model's own AutoModel class), then point LoraMerge at the new folder.",
                directory);
        }
        throw new LoraException(ErrorCodes.ModelHasNoWeights, $"The model folder has no {ShardedCheckpoint.SingleFileName} or {ShardedCheckpoint.IndexFileName}.", directory);
    }
}
