using LoraMerge.Diagnostics;
using LoraMerge.Peft;

namespace LoraMerge.Core.Tests.Peft;

public class AdapterConfigErrorTests
{
    private static LoraException ParseFails(string json) =>
        Assert.Throws<LoraException>(() => PeftFixtures.Parse(json));

    [Fact]
    public void Invalid_json_is_an_adapter_config_error_naming_the_file()
    {
        var error = Assert.Throws<LoraException>(() => AdapterConfig.Parse("{\"r\": 8,,}"u8, "/a/adapter_config.json"));
        Assert.Equal(ErrorCodes.AdapterConfig, error.Code);
        Assert.Equal("/a/adapter_config.json", error.FilePath);
    }

    [Fact]
    public void Non_object_json_is_an_adapter_config_error()
    {
        Assert.Equal(ErrorCodes.AdapterConfig, ParseFails("['LORA']").Code);
    }

    [Fact]
    public void Missing_peft_type_is_an_adapter_config_error()
    {
        var error = ParseFails("{'r': 8}");
        Assert.Equal(ErrorCodes.AdapterConfig, error.Code);
        Assert.Contains("peft_type", error.Message);
    }

    [Theory]
    [InlineData("LOHA", PeftKind.LoHa, 4.0)]
    [InlineData("LOKR", PeftKind.LoKr, 4.0)]
    [InlineData("IA3", PeftKind.Ia3, 8.0)]
    public void Loha_lokr_and_ia3_are_read_with_their_alpha_field(string peftType, PeftKind kind, double alpha)
    {
        var config = AdapterConfig.Parse(System.Text.Encoding.UTF8.GetBytes($"{{\"peft_type\": \"{peftType}\", \"r\": 2, \"alpha\": 4}}"), "/x/adapter_config.json");
        Assert.Equal(kind, config.Kind);
        Assert.Equal(alpha, config.Alpha);
    }

    [Theory]
    [InlineData("ADALORA")]
    [InlineData("PROMPT_TUNING")]
    [InlineData("VERA")]
    [InlineData("OFT")]
    public void Other_peft_types_are_unsupported(string peftType)
    {
        var error = ParseFails($"{{'peft_type': '{peftType}', 'r': 8}}");
        Assert.Equal(ErrorCodes.UnsupportedPeftType, error.Code);
        Assert.Contains(peftType, error.Message);
        Assert.Equal("/x/adapter_config.json", error.FilePath);
    }

    [Theory]
    [InlineData("'r': 0", "\"r\"")]
    [InlineData("'r': -4", "\"r\"")]
    [InlineData("'r': 8.5", "\"r\"")]
    [InlineData("'r': '8'", "\"r\"")]
    [InlineData("'lora_alpha': 'big'", "lora_alpha")]
    [InlineData("'use_rslora': 1", "use_rslora")]
    [InlineData("'bias': 'some'", "bias")]
    [InlineData("'rank_pattern': {'q_proj': 0}", "rank_pattern")]
    [InlineData("'rank_pattern': {'q_proj(': 4}", "rank_pattern")]
    [InlineData("'rank_pattern': ['q_proj']", "rank_pattern")]
    [InlineData("'alpha_pattern': {'[': 4}", "alpha_pattern")]
    [InlineData("'target_modules': 'q_proj(', 'r': 8", "target_modules")]
    [InlineData("'target_modules': [1, 2]", "target_modules")]
    [InlineData("'exclude_modules': '*x'", "exclude_modules")]
    [InlineData("'target_modules': '.*q', 'layers_to_transform': [0]", "layers_to_transform")]
    [InlineData("'target_modules': '.*q', 'layers_pattern': 'h'", "layers_pattern")]
    [InlineData("'target_modules': ['q'], 'layers_pattern': 'h'", "layers_pattern")]
    [InlineData("'layers_to_transform': ['0']", "layers_to_transform")]
    [InlineData("'use_dora': true, 'lora_bias': true", "lora_bias")]
    [InlineData("'trainable_token_indices': 'embed_tokens'", "trainable_token_indices")]
    [InlineData("'trainable_token_indices': {'embed_tokens': [1.5]}", "trainable_token_indices")]
    [InlineData("'modules_to_save': 'score'", "modules_to_save")]
    [InlineData("'init_lora_weights': 3", "init_lora_weights")]
    public void Bad_values_are_invalid_adapter_values_naming_the_field(string fields, string fieldName)
    {
        var error = ParseFails("{'peft_type': 'LORA', " + fields + "}");
        Assert.Equal(ErrorCodes.InvalidAdapterValue, error.Code);
        Assert.Contains(fieldName, error.Message);
        Assert.Equal("/x/adapter_config.json", error.FilePath);
    }

    [Fact]
    public void Missing_file_is_an_adapter_config_error_naming_it()
    {
        using var folder = new TempFolder();
        string path = folder.File("adapter_config.json");
        var error = Assert.Throws<LoraException>(() => AdapterConfig.Read(path));
        Assert.Equal(ErrorCodes.AdapterConfig, error.Code);
        Assert.Equal(path, error.FilePath);
    }
}
