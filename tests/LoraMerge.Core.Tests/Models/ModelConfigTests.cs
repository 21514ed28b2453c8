using System.Text;
using LoraMerge.Diagnostics;
using LoraMerge.Models;

namespace LoraMerge.Core.Tests.Models;

public class ModelConfigTests
{
    private static ModelConfig Parse(string json) =>
        ModelConfig.Parse(Encoding.UTF8.GetBytes(json.Replace('\'', '"')), "/m/config.json");

    [Fact]
    public void Named_fields_are_read()
    {
        var config = Parse("{'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', 'tie_word_embeddings': false, 'torch_dtype': 'bfloat16', '_name_or_path': 'org/tiny'}");
        Assert.Equal(["LlamaForCausalLM"], config.Architectures);
        Assert.Equal("llama", config.ModelType);
        Assert.False(config.TieWordEmbeddings);
        Assert.Equal("bfloat16", config.TorchDtype);
        Assert.Equal("org/tiny", config.NameOrPath);
        Assert.Equal("/m/config.json", config.Path);
    }

    [Fact]
    public void Absent_fields_take_transformers_defaults()
    {
        var config = Parse("{'hidden_size': 8}");
        Assert.Empty(config.Architectures);
        Assert.Null(config.ModelType);
        Assert.True(config.TieWordEmbeddings);
        Assert.Null(config.TorchDtype);
        Assert.Null(config.NameOrPath);
    }

    [Fact]
    public void Newer_dtype_key_wins_over_torch_dtype()
    {
        Assert.Equal("float16", Parse("{'torch_dtype': 'float32', 'dtype': 'float16'}").TorchDtype);
        Assert.Equal("float16", Parse("{'dtype': 'float16'}").TorchDtype);
    }

    [Fact]
    public void Entries_hold_every_scalar_and_scalar_array_in_file_order()
    {
        var config = Parse("{'model_type': 'llama', 'hidden_size': 64, 'rms_norm_eps': 1e-06, 'rope_theta': 10000.0, 'tie_word_embeddings': false, " +
                           "'rope_scaling': {'type': 'linear'}, 'eos_token_id': [1, 2], 'bad_words': null, 'mixed': [1, 'a', true, 0.5], 'nested': [[1]], " +
                           "'huge': 123456789012345678901234567890}");

        Assert.Equal(["model_type", "hidden_size", "rms_norm_eps", "rope_theta", "tie_word_embeddings", "eos_token_id", "mixed", "huge"],
            config.Entries.Select(e => e.Key));

        var hidden = config.Get("hidden_size")!;
        Assert.Equal(ConfigValueKind.Integer, hidden.Kind);
        Assert.Equal(64L, hidden.Integer);

        var eps = config.Get("rms_norm_eps")!;
        Assert.Equal(ConfigValueKind.Float, eps.Kind);
        Assert.Equal(1e-06, eps.Float);
        Assert.Equal("1e-06", eps.Text);

        var theta = config.Get("rope_theta")!;
        Assert.Equal(ConfigValueKind.Float, theta.Kind);
        Assert.Equal("10000.0", theta.Text);

        Assert.Equal(ConfigValueKind.Boolean, config.Get("tie_word_embeddings")!.Kind);
        Assert.Equal(ConfigValueKind.String, config.Get("model_type")!.Kind);

        var eos = config.Get("eos_token_id")!;
        Assert.Equal(ConfigValueKind.Array, eos.Kind);
        Assert.Equal([1L, 2L], eos.Items.Select(i => i.Integer));

        var mixed = config.Get("mixed")!;
        Assert.Equal([ConfigValueKind.Integer, ConfigValueKind.String, ConfigValueKind.Boolean, ConfigValueKind.Float], mixed.Items.Select(i => i.Kind));

        var huge = config.Get("huge")!;
        Assert.Equal(ConfigValueKind.Float, huge.Kind);
        Assert.Equal("123456789012345678901234567890", huge.Text);
    }

    [Theory]
    [InlineData("{'a': 1,,}")]
    [InlineData("['llama']")]
    [InlineData("{'architectures': [1]}")]
    public void Invalid_config_is_a_model_config_error(string json)
    {
        var error = Assert.Throws<LoraException>(() => Parse(json));
        Assert.Equal(ErrorCodes.ModelConfig, error.Code);
        Assert.Equal("/m/config.json", error.FilePath);
    }

    /// <summary>Issue 17: Python's json writes NaN and Infinity, which JSON lacks; transformers' config.json may hold them.</summary>
    [Fact]
    public void PythonNonFiniteFloatsAreReadAsStrings()
    {
        var config = ModelConfig.Parse("""
            {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "initializer_range": NaN,
             "max_value": Infinity, "min_value": -Infinity, "note": "NaN and Infinity inside a \"string\" stay"}
            """u8, "config.json");

        Assert.Equal(64, config.Get("hidden_size")!.Integer);
        Assert.Equal("NaN", config.GetString("initializer_range"));
        Assert.Equal("Infinity", config.GetString("max_value"));
        Assert.Equal("-Infinity", config.GetString("min_value"));
        Assert.Equal("NaN and Infinity inside a \"string\" stay", config.GetString("note"));
    }

    [Fact]
    public void OtherInvalidJsonIsStillAnError() =>
        Assert.Equal(LoraMerge.Diagnostics.ErrorCodes.ModelConfig,
            Assert.Throws<LoraMerge.Diagnostics.LoraException>(() => ModelConfig.Parse("""{"a": NaN, "b": nope}"""u8, "config.json")).Code);
}
