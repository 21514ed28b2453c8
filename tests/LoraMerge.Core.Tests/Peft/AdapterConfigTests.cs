using LoraMerge.Diagnostics;
using LoraMerge.Peft;

namespace LoraMerge.Core.Tests.Peft;

public class AdapterConfigTests
{
    [Fact]
    public void Old_peft_config_parses_with_defaults_for_missing_fields()
    {
        var config = AdapterConfig.Read(PeftFixtures.Config("peft-0.2-minimal.json"));

        Assert.Equal("LORA", config.PeftType);
        Assert.Equal("CAUSAL_LM", config.TaskType);
        Assert.Equal("huggyllama/llama-7b", config.BaseModelNameOrPath);
        Assert.Equal(16, config.Rank);
        Assert.Equal(16.0, config.Alpha);
        Assert.False(config.UseRsLora);
        Assert.False(config.UseDora);
        Assert.False(config.LoraBias);
        Assert.Equal(BiasMode.None, config.Bias);
        Assert.Equal(0, config.RankPattern.Count);
        Assert.Equal(0, config.AlphaPattern.Count);
        Assert.Equal(TargetModulesKind.Names, config.TargetModules.Kind);
        Assert.Equal(["q_proj", "v_proj"], config.TargetModules.Names);
        Assert.Equal(TargetModulesKind.None, config.ExcludeModules.Kind);
        Assert.Null(config.LayersToTransform);
        Assert.Null(config.LayersPattern);
        Assert.Empty(config.ModulesToSave);
        Assert.Null(config.TrainableTokenIndices);
        Assert.Null(config.InitLoraWeights);
        Assert.Empty(config.UnsupportedFeatures);
        Assert.Equal(PeftFixtures.Config("peft-0.2-minimal.json"), config.Path);
    }

    [Fact]
    public void Config_without_r_and_alpha_uses_peft_defaults_of_8()
    {
        var config = PeftFixtures.Parse("{'peft_type': 'LORA', 'target_modules': ['q_proj']}");
        Assert.Equal(8, config.Rank);
        Assert.Equal(8.0, config.Alpha);
        Assert.Equal(1.0, config.ScalingFor("model.q_proj"));
    }

    [Fact]
    public void Regex_target_and_bias_mode_are_read()
    {
        var config = AdapterConfig.Read(PeftFixtures.Config("peft-0.4-regex-target.json"));
        Assert.Equal(TargetModulesKind.Regex, config.TargetModules.Kind);
        Assert.Equal(@".*\.(c_attn|c_proj)", config.TargetModules.Pattern);
        Assert.Equal(BiasMode.LoraOnly, config.Bias);
        Assert.True(config.FanInFanOut);
        Assert.Equal("true", config.InitLoraWeights);
    }

    [Fact]
    public void Newer_config_reads_patterns_in_json_order()
    {
        var config = AdapterConfig.Read(PeftFixtures.Config("peft-0.17-full.json"));
        Assert.True(config.UseRsLora);
        Assert.Equal("SEQ_CLS", config.TaskType);
        Assert.Equal(["score"], config.ModulesToSave);
        Assert.Equal(["layers.0.self_attn.q_proj", "q_proj", "down_proj"], config.RankPattern.Patterns.Select(p => p.Key));
        Assert.Equal([4, 12, 6], config.RankPattern.Patterns.Select(p => p.Value));
        Assert.Equal(["self_attn.o_proj", "^model.layers.1.mlp.down_proj"], config.AlphaPattern.Patterns.Select(p => p.Key));
        Assert.Equal([3.0, 2.5], config.AlphaPattern.Patterns.Select(p => p.Value));
        Assert.Empty(config.UnsupportedFeatures);
    }

    [Fact]
    public void Dora_config_with_layer_filters_and_token_indices()
    {
        var config = AdapterConfig.Read(PeftFixtures.Config("peft-0.18-dora-tokens.json"));
        Assert.True(config.UseDora);
        Assert.Equal("0.18.0", config.PeftVersion);
        Assert.Equal([0, 1], config.LayersToTransform);
        Assert.Equal(["layers"], config.LayersPattern);
        Assert.Equal(TargetModulesKind.Regex, config.ExcludeModules.Kind);
        Assert.Equal("gaussian", config.InitLoraWeights);
        Assert.False(config.ExpectsModifiedBase);
        var tokens = config.TrainableTokenIndices!;
        Assert.Null(tokens.ForInputEmbedding);
        Assert.Equal([5, 1, 9], tokens.IndicesFor("model.embed_tokens")!);
        Assert.Null(tokens.IndicesFor("lm_head"));
    }

    [Theory]
    // First matching key wins, in JSON order: the specific layer-0 key comes before the plain suffix key.
    [InlineData("model.layers.0.self_attn.q_proj", 4)]
    [InlineData("model.layers.1.self_attn.q_proj", 12)]
    [InlineData("q_proj", 12)]
    [InlineData("model.layers.1.mlp.down_proj", 6)]
    [InlineData("model.layers.1.self_attn.v_proj", 8)]
    // A key matches the whole name or a dot-bounded suffix only.
    [InlineData("model.layers.1.self_attn.xq_proj", 8)]
    public void RankFor_uses_first_matching_rank_pattern_key(string moduleKey, int expected)
    {
        var config = AdapterConfig.Read(PeftFixtures.Config("peft-0.17-full.json"));
        Assert.Equal(expected, config.RankFor(moduleKey));
    }

    [Theory]
    [InlineData("model.layers.0.self_attn.o_proj", 3.0)]
    [InlineData("model.layers.1.mlp.down_proj", 2.5)]
    // '^' anchors at the start of the full key, so a longer prefix does not match.
    [InlineData("outer.model.layers.1.mlp.down_proj", 32.0)]
    [InlineData("model.layers.0.mlp.down_proj", 32.0)]
    public void AlphaFor_uses_alpha_pattern_with_caret_anchor(string moduleKey, double expected)
    {
        var config = AdapterConfig.Read(PeftFixtures.Config("peft-0.17-full.json"));
        Assert.Equal(expected, config.AlphaFor(moduleKey));
    }

    [Fact]
    public void Pattern_key_dot_matches_any_character_as_in_python()
    {
        var config = PeftFixtures.Parse("{'peft_type': 'LORA', 'r': 8, 'rank_pattern': {'layers.0.q': 2}}");
        Assert.Equal(2, config.RankFor("model.layersX0Xq"));
        Assert.Equal(8, config.RankFor("model.layers.0.q_proj"));
    }

    [Fact]
    public void Pattern_with_alternation_stays_inside_its_group()
    {
        var config = PeftFixtures.Parse("{'peft_type': 'LORA', 'r': 8, 'rank_pattern': {'q_proj|v_proj': 2}}");
        Assert.Equal(2, config.RankFor("model.layers.0.v_proj"));
        Assert.Equal(2, config.RankFor("model.layers.0.q_proj"));
        Assert.Equal(8, config.RankFor("model.layers.0.q_proj.extra"));
    }

    [Theory]
    // Each expected value is Python's result for `weight * alpha / r` or `weight * alpha / math.sqrt(r)`, as raw bits.
    [InlineData(false, 16.0, 8, 1.0, 0x4000000000000000L)]
    [InlineData(false, 16.0, 3, 0.3, 0x3ff9999999999999L)]
    [InlineData(false, 3.0, 7, 0.1, 0x3fa5f15f15f15f17L)]
    [InlineData(false, 7.5, 3, -1.0, unchecked((long)0xc004000000000000UL))]
    [InlineData(true, 16.0, 7, 1.0, 0x40183091e6a7f7e6L)]
    [InlineData(true, 3.0, 7, 0.1, 0x3fbd07157b2ff649L)]
    [InlineData(true, 5.0, 5, 0.1, 0x3fcc9f25c5bfedd9L)]
    public void ScalingFor_is_bit_exact_with_pythons_operation_order(bool rsLora, double alpha, int rank, double weight, long expectedBits)
    {
        string json = $"{{'peft_type': 'LORA', 'r': {rank}, 'lora_alpha': {alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}, 'use_rslora': {(rsLora ? "true" : "false")}}}";
        var config = PeftFixtures.Parse(json);
        Assert.Equal(expectedBits, BitConverter.DoubleToInt64Bits(config.ScalingFor("m.q_proj", weight)));
    }

    [Fact]
    public void ScalingFor_uses_per_module_rank_and_alpha()
    {
        var config = AdapterConfig.Read(PeftFixtures.Config("peft-0.17-full.json"));
        // rsLoRA; o_proj has an alpha pattern but no rank pattern, so r = 8.
        Assert.Equal(3.0 / Math.Sqrt(8), config.ScalingFor("model.layers.0.self_attn.o_proj"));
        Assert.Equal(32.0 / Math.Sqrt(4), config.ScalingFor("model.layers.0.self_attn.q_proj"));
        Assert.Equal(2.0 * 2.5 / Math.Sqrt(6), config.ScalingFor("model.layers.1.mlp.down_proj", 2.0));
    }

    [Fact]
    public void Int_layers_to_transform_and_string_layers_pattern_become_lists()
    {
        var config = PeftFixtures.Parse("{'peft_type': 'LORA', 'target_modules': ['q'], 'layers_to_transform': 3, 'layers_pattern': 'h'}");
        Assert.Equal([3], config.LayersToTransform);
        Assert.Equal(["h"], config.LayersPattern);
    }

    [Fact]
    public void All_linear_target_is_recognised_in_any_case()
    {
        var config = PeftFixtures.Parse("{'peft_type': 'LORA', 'target_modules': 'ALL-LINEAR'}");
        Assert.Equal(TargetModulesKind.AllLinear, config.TargetModules.Kind);
        Assert.False(config.Targets.KnowsTargets);
    }

    [Fact]
    public void List_trainable_token_indices_apply_to_the_input_embedding()
    {
        var config = PeftFixtures.Parse("{'peft_type': 'LORA', 'trainable_token_indices': [3, 4]}");
        Assert.Equal([3, 4], config.TrainableTokenIndices!.ForInputEmbedding!);
        Assert.Equal([3, 4], config.TrainableTokenIndices.IndicesFor("transformer.wte")!);
    }

    [Theory]
    [InlineData("pissa_niter_4", true)]
    [InlineData("olora", true)]
    [InlineData("loftq", true)]
    [InlineData("eva", false)]
    [InlineData("gaussian", false)]
    public void Init_methods_that_rewrite_the_base_are_flagged(string init, bool expected)
    {
        var config = PeftFixtures.Parse($"{{'peft_type': 'LORA', 'init_lora_weights': '{init}'}}");
        Assert.Equal(expected, config.ExpectsModifiedBase);
    }

    [Theory]
    [InlineData("'layer_replication': [[0, 2], [1, 3]]", "layer_replication")]
    [InlineData("'alora_invocation_tokens': [12, 13]", "alora_invocation_tokens")]
    [InlineData("'target_parameters': ['experts.gate_up_proj']", "target_parameters")]
    [InlineData("'use_qalora': true", "use_qalora")]
    [InlineData("'use_bdlora': {'nblocks': 2}", "use_bdlora")]
    [InlineData("'megatron_config': {'tensor_model_parallel_size': 2}", "megatron_config")]
    [InlineData("'arrow_config': {'top_k': 2}", "arrow_config")]
    [InlineData("'kasa_config': {}", "kasa_config")]
    public void Unmergeable_settings_are_listed(string field, string name)
    {
        var config = PeftFixtures.Parse("{'peft_type': 'LORA', " + field + "}");
        Assert.Single(config.UnsupportedFeatures);
        Assert.StartsWith(name + ":", config.UnsupportedFeatures[0]);
    }

    [Theory]
    [InlineData("'layer_replication': null")]
    [InlineData("'layer_replication': []")]
    [InlineData("'use_qalora': false")]
    [InlineData("'target_parameters': []")]
    [InlineData("'velora_config': {'rank': 1}")]
    public void Unset_or_harmless_settings_are_not_listed(string field)
    {
        var config = PeftFixtures.Parse("{'peft_type': 'LORA', " + field + "}");
        Assert.Empty(config.UnsupportedFeatures);
    }
}
