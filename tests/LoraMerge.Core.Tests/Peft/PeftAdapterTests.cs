using LoraMerge.Diagnostics;
using LoraMerge.Peft;

namespace LoraMerge.Core.Tests.Peft;

public class PeftAdapterTests
{
    private const string P = "base_model.model.";

    private static PeftAdapter OpenWith(TempFolder folder, string configFields, params (string Name, string DType, long[] Shape)[] tensors)
    {
        folder.WriteText("adapter_config.json", ("{'peft_type': 'LORA', " + configFields + "}").Replace('\'', '"'));
        TestSafetensors.Write(folder.File("adapter_model.safetensors"), tensors);
        return PeftAdapter.Open(folder.Path);
    }

    private static LoraException OpenFails(TempFolder folder, string configFields, params (string Name, string DType, long[] Shape)[] tensors) =>
        Assert.Throws<LoraException>(() => OpenWith(folder, configFields, tensors));

    [Fact]
    public void Linear_modules_are_grouped_with_rank_alpha_and_base_names()
    {
        using var folder = new TempFolder();
        var adapter = OpenWith(folder, "'r': 4, 'lora_alpha': 8, 'target_modules': ['q_proj', 'v_proj'], 'rank_pattern': {'v_proj': 2}, 'alpha_pattern': {'v_proj': 3}",
            (P + "model.layers.0.self_attn.q_proj.lora_A.weight", "F32", [4, 16]),
            (P + "model.layers.0.self_attn.q_proj.lora_B.weight", "F32", [32, 4]),
            (P + "model.layers.0.self_attn.v_proj.lora_A.weight", "BF16", [2, 16]),
            (P + "model.layers.0.self_attn.v_proj.lora_B.weight", "BF16", [8, 2]));

        Assert.Equal(folder.Path, adapter.Directory);
        Assert.Equal(folder.File("adapter_model.safetensors"), adapter.WeightsPath);
        Assert.Equal(folder.File("adapter_config.json"), adapter.ConfigPath);
        Assert.Equal(4, adapter.Header.Tensors.Count);
        Assert.Equal(2, adapter.Modules.Count);

        var q = adapter.Modules[0];
        Assert.Equal("model.layers.0.self_attn.q_proj", q.ModuleKey);
        Assert.Equal(LoraModuleKind.Linear, q.Kind);
        Assert.Equal(4, q.Rank);
        Assert.Equal(8.0, q.Alpha);
        Assert.Equal(P + "model.layers.0.self_attn.q_proj.lora_A.weight", q.A.Name);
        Assert.Equal(P + "model.layers.0.self_attn.q_proj.lora_B.weight", q.B.Name);
        Assert.Null(q.BBias);
        Assert.Null(q.Magnitude);
        Assert.Equal("model.layers.0.self_attn.q_proj.weight", q.BaseWeightName);
        Assert.Equal("model.layers.0.self_attn.q_proj.bias", q.BaseBiasName);

        var v = adapter.Modules[1];
        Assert.Equal(2, v.Rank);
        Assert.Equal(3.0, v.Alpha);
        Assert.Empty(adapter.Replacements);
        Assert.Empty(adapter.TrainableTokens);
    }

    [Fact]
    public void Embedding_conv_dora_and_lora_bias_tensors_are_recognised()
    {
        using var folder = new TempFolder();
        var adapter = OpenWith(folder, "'r': 2, 'use_dora': true, 'target_modules': ['embed_tokens', 'conv', 'fc']",
            (P + "model.embed_tokens.lora_embedding_A", "F32", [2, 100]),
            (P + "model.embed_tokens.lora_embedding_B", "F32", [16, 2]),
            (P + "model.embed_tokens.lora_magnitude_vector", "F32", [16]),
            (P + "encoder.conv.lora_A.weight", "F32", [2, 3, 3, 3]),
            (P + "encoder.conv.lora_B.weight", "F32", [8, 2, 1, 1]),
            (P + "encoder.conv.lora_magnitude_vector.weight", "F32", [1, 8, 1, 1]),
            (P + "head.fc.lora_A.weight", "F32", [2, 16]),
            (P + "head.fc.lora_B.weight", "F32", [4, 2]),
            (P + "head.fc.lora_magnitude_vector", "F32", [4]));

        Assert.Equal([LoraModuleKind.Embedding, LoraModuleKind.Conv, LoraModuleKind.Linear], adapter.Modules.Select(m => m.Kind));
        Assert.Equal(["model.embed_tokens", "encoder.conv", "head.fc"], adapter.Modules.Select(m => m.ModuleKey));
        Assert.All(adapter.Modules, m => Assert.NotNull(m.Magnitude));
        Assert.Equal(P + "encoder.conv.lora_magnitude_vector.weight", adapter.Modules[1].Magnitude!.Name);
    }

    [Fact]
    public void Lora_bias_is_attached_to_its_module()
    {
        using var folder = new TempFolder();
        var adapter = OpenWith(folder, "'r': 2, 'lora_bias': true",
            (P + "fc.lora_A.weight", "F32", [2, 16]),
            (P + "fc.lora_B.weight", "F32", [4, 2]),
            (P + "fc.lora_B.bias", "F32", [4]));
        Assert.Equal(P + "fc.lora_B.bias", adapter.Modules.Single().BBias!.Name);
    }

    [Fact]
    public void Adapter_name_suffixed_keys_are_accepted()
    {
        using var folder = new TempFolder();
        var adapter = OpenWith(folder, "'r': 2, 'use_dora': true, 'modules_to_save': ['score']",
            (P + "m.q_proj.lora_A.default.weight", "F32", [2, 16]),
            (P + "m.q_proj.lora_B.default.weight", "F32", [4, 2]),
            (P + "m.q_proj.lora_magnitude_vector.default.weight", "F32", [4]),
            (P + "m.embed_tokens.lora_embedding_A.default", "F32", [2, 50]),
            (P + "m.embed_tokens.lora_embedding_B.default", "F32", [16, 2]),
            (P + "m.embed_tokens.lora_magnitude_vector.default", "F32", [16]),
            (P + "score.modules_to_save.default.weight", "F32", [3, 16]));

        Assert.Equal(["m.q_proj", "m.embed_tokens"], adapter.Modules.Select(m => m.ModuleKey));
        var replacement = Assert.Single(adapter.Replacements);
        Assert.Equal("score.weight", replacement.BaseTensorName);
        Assert.Equal(ReplacementKind.ModulesToSave, replacement.Kind);
    }

    [Fact]
    public void Full_tensors_become_replacements_of_the_right_kind()
    {
        using var folder = new TempFolder();
        var adapter = OpenWith(folder, "'r': 2, 'bias': 'all', 'modules_to_save': ['classifier'], 'target_modules': ['q_proj', 'embed_tokens']",
            (P + "model.layers.0.q_proj.lora_A.weight", "F32", [2, 16]),
            (P + "model.layers.0.q_proj.lora_B.weight", "F32", [16, 2]),
            (P + "model.layers.0.q_proj.base_layer.bias", "F32", [16]),
            (P + "model.layers.0.mlp.fc1.bias", "F32", [32]),
            (P + "classifier.dense.weight", "F32", [16, 16]),
            (P + "classifier.dense.bias", "F32", [16]),
            (P + "model.embed_tokens.base_layer.weight", "F32", [100, 16]),
            (P + "lm_head.weight", "F32", [100, 16]));

        Assert.Equal(
            [
                ("model.layers.0.q_proj.bias", ReplacementKind.Bias),
                ("model.layers.0.mlp.fc1.bias", ReplacementKind.Bias),
                ("classifier.dense.weight", ReplacementKind.ModulesToSave),
                ("classifier.dense.bias", ReplacementKind.ModulesToSave),
                ("model.embed_tokens.weight", ReplacementKind.SavedEmbedding),
                ("lm_head.weight", ReplacementKind.SavedEmbedding),
            ],
            adapter.Replacements.Select(r => (r.BaseTensorName, r.Kind)));
        Assert.Equal(P + "model.layers.0.q_proj.base_layer.bias", adapter.Replacements[0].Source.Name);
    }

    [Fact]
    public void Sequence_classification_heads_are_modules_to_save_even_when_not_listed()
    {
        using var folder = new TempFolder();
        var adapter = OpenWith(folder, "'r': 2, 'task_type': 'SEQ_CLS'", (P + "score.weight", "F32", [2, 16]));
        Assert.Equal(ReplacementKind.ModulesToSave, Assert.Single(adapter.Replacements).Kind);
    }

    [Fact]
    public void Trainable_tokens_take_their_indices_from_the_config()
    {
        using var folder = new TempFolder();
        var adapter = OpenWith(folder, "'r': 2, 'trainable_token_indices': {'embed_tokens': [7, 3]}",
            (P + "model.embed_tokens.token_adapter.trainable_tokens_delta", "F32", [2, 16]));
        var tokens = Assert.Single(adapter.TrainableTokens);
        Assert.Equal("model.embed_tokens.weight", tokens.BaseTensorName);
        Assert.Equal([7, 3], tokens.Indices);
        Assert.Equal(P + "model.embed_tokens.token_adapter.trainable_tokens_delta", tokens.Delta.Name);
    }

    [Fact]
    public void Trainable_tokens_with_list_indices()
    {
        using var folder = new TempFolder();
        var adapter = OpenWith(folder, "'trainable_token_indices': [1, 2, 3]",
            (P + "transformer.wte.token_adapter.trainable_tokens_delta", "BF16", [3, 8]));
        Assert.Equal("transformer.wte.weight", adapter.TrainableTokens.Single().BaseTensorName);
    }

    [Theory]
    [InlineData("'trainable_token_indices': [1, 2]")]
    [InlineData("'trainable_token_indices': {'lm_head': [1, 2, 3]}")]
    [InlineData("'r': 8")]
    public void Trainable_tokens_that_do_not_fit_the_config_are_invalid(string fields)
    {
        using var folder = new TempFolder();
        var error = OpenFails(folder, fields, (P + "model.embed_tokens.token_adapter.trainable_tokens_delta", "F32", [3, 8]));
        Assert.Equal(ErrorCodes.InvalidAdapterValue, error.Code);
        Assert.Equal(folder.File("adapter_model.safetensors"), error.FilePath);
    }
}
