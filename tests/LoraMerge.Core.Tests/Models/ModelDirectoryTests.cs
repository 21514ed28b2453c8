using LoraMerge.Core.Tests.Peft;
using LoraMerge.Diagnostics;
using LoraMerge.Models;

namespace LoraMerge.Core.Tests.Models;

public class ModelDirectoryTests
{
    private const string Config = "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\", \"tie_word_embeddings\": false}";

    [Fact]
    public void Single_file_model_with_companions()
    {
        using var folder = new TempFolder();
        folder.WriteText("config.json", Config);
        TestSafetensors.Write(folder.File("model.safetensors"), ("model.embed_tokens.weight", "BF16", [10, 4]), ("lm_head.weight", "BF16", [10, 4]));
        foreach (var name in new[] { "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json", "chat_template.jinja", "README.md", "tokenizer.model" })
            folder.WriteText(name, "{}");
        foreach (var name in new[] { ".gitattributes", ".DS_Store", "pytorch_model.bin", "model.safetensors.index.json.bak.safetensors", "lora-merge.json", "tf_model.h5", "flax_model.msgpack" })
            folder.WriteText(name, "x");
        Directory.CreateDirectory(Path.Combine(folder.Path, "onnx"));
        folder.WriteText(Path.Combine("onnx", "model.onnx"), "x");

        var model = ModelDirectory.Open(folder.Path);

        Assert.Equal(folder.Path, model.Path);
        Assert.Equal(folder.File("config.json"), model.ConfigPath);
        Assert.Equal("llama", model.Config.ModelType);
        Assert.False(model.Config.TieWordEmbeddings);
        Assert.Equal(2, model.Weights.TensorCount);
        Assert.Equal(
            ["README.md", "chat_template.jinja", "generation_config.json", "special_tokens_map.json", "tokenizer.json", "tokenizer.model", "tokenizer_config.json"],
            model.CompanionFiles);
    }

    [Fact]
    public void Sharded_model_excludes_shards_and_index_from_companions()
    {
        using var folder = new TempFolder();
        folder.WriteText("config.json", Config);
        TestSafetensors.Write(folder.File("model-00001-of-00002.safetensors"), ("a.weight", "F32", [2]));
        TestSafetensors.Write(folder.File("model-00002-of-00002.safetensors"), ("b.weight", "F32", [3]));
        folder.WriteText("model.safetensors.index.json",
            "{\"metadata\": {\"total_size\": 20}, \"weight_map\": {\"a.weight\": \"model-00001-of-00002.safetensors\", \"b.weight\": \"model-00002-of-00002.safetensors\"}}");
        folder.WriteText("vocab.json", "{}");
        folder.WriteText("merges.txt", "");

        var model = ModelDirectory.Open(folder.Path);

        Assert.Equal(2, model.Weights.TensorCount);
        Assert.Equal(["merges.txt", "vocab.json"], model.CompanionFiles);
    }

    [Fact]
    public void Missing_folder_is_file_not_found()
    {
        string path = Path.Combine(Path.GetTempPath(), "loramerge-no-such-model-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<LoraException>(() => ModelDirectory.Open(path));
        Assert.Equal(ErrorCodes.FileNotFound, error.Code);
        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public void Missing_config_is_a_model_config_error()
    {
        using var folder = new TempFolder();
        TestSafetensors.Write(folder.File("model.safetensors"), ("a.weight", "F32", [2]));
        var error = Assert.Throws<LoraException>(() => ModelDirectory.Open(folder.Path));
        Assert.Equal(ErrorCodes.ModelConfig, error.Code);
        Assert.Equal(folder.File("config.json"), error.FilePath);
    }

    [Fact]
    public void Invalid_config_is_a_model_config_error()
    {
        using var folder = new TempFolder();
        folder.WriteText("config.json", "{\"model_type\": ");
        TestSafetensors.Write(folder.File("model.safetensors"), ("a.weight", "F32", [2]));
        var error = Assert.Throws<LoraException>(() => ModelDirectory.Open(folder.Path));
        Assert.Equal(ErrorCodes.ModelConfig, error.Code);
        Assert.Equal(folder.File("config.json"), error.FilePath);
    }

    [Fact]
    public void Pickle_only_model_says_bin_is_not_supported()
    {
        using var folder = new TempFolder();
        folder.WriteText("config.json", Config);
        folder.WriteText("pytorch_model.bin", "pickle");
        var error = Assert.Throws<LoraException>(() => ModelDirectory.Open(folder.Path));
        Assert.Equal(ErrorCodes.ModelHasNoWeights, error.Code);
        Assert.Contains("pytorch_model.bin", error.Message);
        Assert.Contains("safe_serialization=True", error.Message);
        Assert.Equal(folder.Path, error.FilePath);
    }

    [Fact]
    public void Folder_without_weights_has_no_weights()
    {
        using var folder = new TempFolder();
        folder.WriteText("config.json", Config);
        var error = Assert.Throws<LoraException>(() => ModelDirectory.Open(folder.Path));
        Assert.Equal(ErrorCodes.ModelHasNoWeights, error.Code);
    }

    [Fact]
    public void Oddly_named_safetensors_are_named_in_the_error()
    {
        using var folder = new TempFolder();
        folder.WriteText("config.json", Config);
        TestSafetensors.Write(folder.File("diffusion_pytorch_model.safetensors"), ("a.weight", "F32", [2]));
        var error = Assert.Throws<LoraException>(() => ModelDirectory.Open(folder.Path));
        Assert.Equal(ErrorCodes.ModelHasNoWeights, error.Code);
        Assert.Contains("diffusion_pytorch_model.safetensors", error.Message);
    }
}
