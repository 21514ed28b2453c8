using System.Text;
using System.Text.Json;
using LoraMerge.Merging;
using LoraMerge.Models;
using LoraMerge.Cli.Describe;

namespace LoraMerge.Cli.Tests;

public sealed class ModelManifestWriterTests
{
    private static readonly byte[] Config = Encoding.UTF8.GetBytes(
        """{"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":64,"rms_norm_eps":1e-06,"tie_word_embeddings":false,"rope_scaling":null,"eos_token_id":[1,2]}""");

    [Fact]
    public void Writes_the_documented_fields_with_config_numbers_as_written()
    {
        var config = ModelConfig.Parse(Config, "config.json");
        var bytes = ModelManifestWriter.Write("Math", "models/Math", false, "abc123", OutputFormats.Safetensors, config,
            [new ManifestTensor("model.embed_tokens.weight", "BF16", [256, 64], "model.safetensors")]);

        var text = Encoding.UTF8.GetString(bytes);
        Assert.Contains("\"rms_norm_eps\": 1e-06", text);
        using var json = JsonDocument.Parse(bytes);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("formatVersion").GetInt32());
        Assert.Equal("Math", root.GetProperty("model").GetString());
        Assert.Equal("models/Math", root.GetProperty("artifact").GetString());
        Assert.False(root.GetProperty("embedded").GetBoolean());
        Assert.Equal("abc123", root.GetProperty("fingerprint").GetString());
        Assert.Equal(new[] { "safetensors" }, root.GetProperty("formats").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var configJson = root.GetProperty("config");
        Assert.Equal(64, configJson.GetProperty("hidden_size").GetInt32());
        Assert.Equal("llama", configJson.GetProperty("model_type").GetString());
        Assert.False(configJson.GetProperty("tie_word_embeddings").GetBoolean());
        Assert.Equal(2, configJson.GetProperty("eos_token_id").GetArrayLength());
        Assert.False(configJson.TryGetProperty("rope_scaling", out _));
        var tensor = Assert.Single(root.GetProperty("tensors").EnumerateArray().ToArray());
        Assert.Equal("model.embed_tokens.weight", tensor.GetProperty("name").GetString());
        Assert.Equal("BF16", tensor.GetProperty("dtype").GetString());
        Assert.Equal([256L, 64L], tensor.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray());
        Assert.Equal("model.safetensors", tensor.GetProperty("file").GetString());
    }

    [Fact]
    public void Same_inputs_give_the_same_bytes()
    {
        var config = ModelConfig.Parse(Config, "config.json");
        ManifestTensor[] tensors = [new("a", "F32", [2], "model.safetensors")];

        Assert.Equal(
            ModelManifestWriter.Write("M", "models/M", true, "f", OutputFormats.Safetensors | OutputFormats.Gguf, config, tensors),
            ModelManifestWriter.Write("M", "models/M", true, "f", OutputFormats.Safetensors | OutputFormats.Gguf, config, tensors));
    }

    [Fact]
    public void A_gguf_only_model_lists_its_formats_and_no_tensors()
    {
        var config = ModelConfig.Parse(Config, "config.json");

        using var json = JsonDocument.Parse(ModelManifestWriter.Write("M", "models/M", false, "f", OutputFormats.Gguf, config, tensors: null));

        Assert.Equal(new[] { "gguf" }, json.RootElement.GetProperty("formats").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.False(json.RootElement.TryGetProperty("tensors", out _));
    }

    [Fact]
    public void Class_options_are_written_only_when_the_item_set_them()
    {
        var config = ModelConfig.Parse(Config, "config.json");

        using var plain = JsonDocument.Parse(ModelManifestWriter.Write("M", "models/M", false, "f", OutputFormats.Gguf, config, null));
        using var shaped = JsonDocument.Parse(ModelManifestWriter.Write("M", "models/M", false, "f", OutputFormats.Gguf, config, null,
            new GeneratedClassOptions("Acme.Models", "Mathematics", Internal: true)));

        foreach (var field in new[] { "namespace", "className", "access" })
            Assert.False(plain.RootElement.TryGetProperty(field, out _), field);
        Assert.Equal("Acme.Models", shaped.RootElement.GetProperty("namespace").GetString());
        Assert.Equal("Mathematics", shaped.RootElement.GetProperty("className").GetString());
        Assert.Equal("internal", shaped.RootElement.GetProperty("access").GetString());
    }
}
