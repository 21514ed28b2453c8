using LoraMerge.Diagnostics;
using LoraMerge.Peft;

namespace LoraMerge.Core.Tests.Peft;

public class PeftAdapterErrorTests
{
    private const string P = "base_model.model.";

    private static LoraException OpenFails(TempFolder folder, string configFields, params (string Name, string DType, long[] Shape)[] tensors)
    {
        folder.WriteText("adapter_config.json", ("{'peft_type': 'LORA', " + configFields + "}").Replace('\'', '"'));
        TestSafetensors.Write(folder.File("adapter_model.safetensors"), tensors);
        return Assert.Throws<LoraException>(() => PeftAdapter.Open(folder.Path));
    }

    [Fact]
    public void Missing_folder_is_file_not_found()
    {
        string path = Path.Combine(Path.GetTempPath(), "loramerge-no-such-adapter-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<LoraException>(() => PeftAdapter.Open(path));
        Assert.Equal(ErrorCodes.FileNotFound, error.Code);
        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public void Missing_config_is_an_adapter_config_error()
    {
        using var folder = new TempFolder();
        TestSafetensors.Write(folder.File("adapter_model.safetensors"), (P + "a.lora_A.weight", "F32", [8, 2]));
        var error = Assert.Throws<LoraException>(() => PeftAdapter.Open(folder.Path));
        Assert.Equal(ErrorCodes.AdapterConfig, error.Code);
        Assert.Equal(folder.File("adapter_config.json"), error.FilePath);
    }

    [Fact]
    public void Bin_only_adapter_is_legacy_with_a_conversion_hint()
    {
        using var folder = new TempFolder();
        folder.WriteText("adapter_config.json", "{\"peft_type\": \"LORA\"}");
        folder.WriteText("adapter_model.bin", "pickle");
        var error = Assert.Throws<LoraException>(() => PeftAdapter.Open(folder.Path));
        Assert.Equal(ErrorCodes.LegacyAdapterBin, error.Code);
        Assert.Equal(folder.File("adapter_model.bin"), error.FilePath);
        Assert.Contains("safe_serialization=True", error.Message);
    }

    [Fact]
    public void No_weights_at_all_is_adapter_weights_missing()
    {
        using var folder = new TempFolder();
        folder.WriteText("adapter_config.json", "{\"peft_type\": \"LORA\"}");
        var error = Assert.Throws<LoraException>(() => PeftAdapter.Open(folder.Path));
        Assert.Equal(ErrorCodes.AdapterWeightsMissing, error.Code);
        Assert.Equal(folder.File("adapter_model.safetensors"), error.FilePath);
    }

    [Fact]
    public void Empty_weights_file_is_adapter_weights_missing()
    {
        using var folder = new TempFolder();
        Assert.Equal(ErrorCodes.AdapterWeightsMissing, OpenFails(folder, "'r': 8").Code);
    }

    [Fact]
    public void Unsupported_peft_type_names_the_config()
    {
        using var folder = new TempFolder();
        folder.WriteText("adapter_config.json", "{\"peft_type\": \"BOFT\", \"r\": 8}");
        TestSafetensors.Write(folder.File("adapter_model.safetensors"), (P + "a.boft_R", "F32", [8, 2]));
        var error = Assert.Throws<LoraException>(() => PeftAdapter.Open(folder.Path));
        Assert.Equal(ErrorCodes.UnsupportedPeftType, error.Code);
        Assert.Equal(folder.File("adapter_config.json"), error.FilePath);
    }

    [Fact]
    public void Unmergeable_feature_is_unsupported_adapter_feature()
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, "'layer_replication': [[0, 4], [2, 5]]", (P + "a.lora_A.weight", "F32", [8, 2]), (P + "a.lora_B.weight", "F32", [2, 8]));
        Assert.Equal(ErrorCodes.UnsupportedAdapterFeature, error.Code);
        Assert.Contains("layer_replication", error.Message);
        Assert.Equal(folder.File("adapter_config.json"), error.FilePath);
    }

    [Fact]
    public void Unrecognised_tensors_are_all_listed()
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, "'r': 2",
            (P + "m.q_proj.lora_A.weight", "F32", [2, 4]),
            (P + "m.q_proj.lora_B.weight", "F32", [4, 2]),
            (P + "m.q_proj.lora_E.weight", "F32", [2, 1]),
            ("model.q_proj.weight", "F32", [4, 4]),
            (P + "m.fc1.bias", "F32", [4]),
            (P + "m.q_proj.lora_A.weight.extra.more", "F32", [1]));
        Assert.Equal(ErrorCodes.UnrecognisedAdapterTensor, error.Code);
        Assert.Equal(folder.File("adapter_model.safetensors"), error.FilePath);
        Assert.Contains(P + "m.q_proj.lora_E.weight", error.Message);
        Assert.Contains("model.q_proj.weight", error.Message);
        Assert.Contains(P + "m.fc1.bias", error.Message);
        Assert.Contains(P + "m.q_proj.lora_A.weight.extra.more", error.Message);
        Assert.Contains("4 tensor(s)", error.Message);
    }

    [Theory]
    [InlineData("'r': 4", "lora_B")]
    public void A_without_B_is_an_incomplete_pair(string fields, string missing)
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, fields, (P + "m.q_proj.lora_A.weight", "F32", [4, 8]));
        Assert.Equal(ErrorCodes.IncompleteLoraPair, error.Code);
        Assert.Contains(missing, error.Message);
        Assert.Contains("m.q_proj", error.Message);
    }

    [Fact]
    public void B_without_A_is_an_incomplete_pair()
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, "'r': 4", (P + "m.embed.lora_embedding_B", "F32", [8, 4]));
        Assert.Equal(ErrorCodes.IncompleteLoraPair, error.Code);
        Assert.Contains("lora_A", error.Message);
    }

    [Fact]
    public void Rank_that_disagrees_with_the_config_is_invalid_and_names_the_pattern()
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, "'r': 8, 'rank_pattern': {'q_proj': 2}",
            (P + "m.q_proj.lora_A.weight", "F32", [4, 16]),
            (P + "m.q_proj.lora_B.weight", "F32", [16, 4]));
        Assert.Equal(ErrorCodes.InvalidAdapterValue, error.Code);
        Assert.Contains("rank_pattern[\"q_proj\"] = 2", error.Message);
        Assert.Contains("rank 4", error.Message);
    }

    [Theory]
    [InlineData(new long[] { 16, 3 }, new long[] { 4, 16 })]
    [InlineData(new long[] { 16, 4, 1 }, new long[] { 4, 16 })]
    [InlineData(new long[] { 16, 4, 3, 3 }, new long[] { 4, 16, 3, 3 })]
    public void Factors_whose_shapes_do_not_pair_are_incomplete(long[] bShape, long[] aShape)
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, "'r': 4",
            (P + "m.q_proj.lora_A.weight", "F32", aShape),
            (P + "m.q_proj.lora_B.weight", "F32", bShape));
        Assert.Equal(ErrorCodes.IncompleteLoraPair, error.Code);
    }

    [Fact]
    public void Mixing_embedding_and_linear_factors_is_incomplete()
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, "'r': 4",
            (P + "m.embed.lora_embedding_A", "F32", [4, 16]),
            (P + "m.embed.lora_B.weight", "F32", [16, 4]));
        Assert.Equal(ErrorCodes.IncompleteLoraPair, error.Code);
    }

    [Fact]
    public void Dora_config_without_magnitudes_is_incomplete()
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, "'r': 4, 'use_dora': true",
            (P + "m.q_proj.lora_A.weight", "F32", [4, 16]),
            (P + "m.q_proj.lora_B.weight", "F32", [16, 4]));
        Assert.Equal(ErrorCodes.IncompleteLoraPair, error.Code);
        Assert.Contains("use_dora", error.Message);
    }

    [Fact]
    public void Magnitude_without_dora_config_is_invalid()
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, "'r': 4",
            (P + "m.q_proj.lora_A.weight", "F32", [4, 16]),
            (P + "m.q_proj.lora_B.weight", "F32", [16, 4]),
            (P + "m.q_proj.lora_magnitude_vector", "F32", [16]));
        Assert.Equal(ErrorCodes.InvalidAdapterValue, error.Code);
    }

    [Fact]
    public void Magnitude_of_the_wrong_length_is_incomplete()
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, "'r': 4, 'use_dora': true",
            (P + "m.q_proj.lora_A.weight", "F32", [4, 16]),
            (P + "m.q_proj.lora_B.weight", "F32", [16, 4]),
            (P + "m.q_proj.lora_magnitude_vector", "F32", [15]));
        Assert.Equal(ErrorCodes.IncompleteLoraPair, error.Code);
    }

    [Fact]
    public void Lora_b_bias_without_lora_bias_config_is_invalid()
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, "'r': 4",
            (P + "m.q_proj.lora_A.weight", "F32", [4, 16]),
            (P + "m.q_proj.lora_B.weight", "F32", [16, 4]),
            (P + "m.q_proj.lora_B.bias", "F32", [16]));
        Assert.Equal(ErrorCodes.InvalidAdapterValue, error.Code);
        Assert.Contains("lora_bias", error.Message);
    }

    [Fact]
    public void Two_tensors_replacing_one_base_tensor_are_invalid()
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, "'r': 4",
            (P + "model.embed_tokens.weight", "F32", [10, 4]),
            (P + "model.embed_tokens.base_layer.weight", "F32", [10, 4]));
        Assert.Equal(ErrorCodes.InvalidAdapterValue, error.Code);
        Assert.Contains("model.embed_tokens.weight", error.Message);
    }

    [Fact]
    public void Duplicate_lora_factor_after_name_stripping_is_invalid()
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, "'r': 4",
            (P + "m.q_proj.lora_A.weight", "F32", [4, 16]),
            (P + "m.q_proj.lora_A.default.weight", "F32", [4, 16]),
            (P + "m.q_proj.lora_B.weight", "F32", [16, 4]));
        Assert.Equal(ErrorCodes.InvalidAdapterValue, error.Code);
    }
}
