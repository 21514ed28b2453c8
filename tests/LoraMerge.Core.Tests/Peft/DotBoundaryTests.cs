using LoraMerge.Peft;

namespace LoraMerge.Core.Tests.Peft;

/// <summary>
/// Issue 18: every PEFT rule that matches a name as a suffix of a module key matches it only at a "." boundary
/// (docs peft-merge-semantics §12). Each case names a key where a suffix without the boundary would give the other answer,
/// so a rule that forgets the "." fails here ("proj" must not reach every "*_proj").
/// </summary>
public class DotBoundaryTests
{
    private static AdapterConfig Config(string fields) => PeftFixtures.Parse("{'peft_type': 'LORA', " + fields + "}");

    [Theory]
    // exclude_modules (a list): the exact key or a "." + name suffix, never a bare suffix.
    [InlineData("['proj']", "model.layers.0.self_attn.q_proj", false)]
    [InlineData("['proj']", "proj", true)]
    [InlineData("['proj']", "model.layers.0.self_attn.proj", true)]
    [InlineData("['q_proj']", "model.layers.0.self_attn.xq_proj", false)]
    [InlineData("['attn.q_proj']", "model.layers.0.self_attn.q_proj", false)]
    [InlineData("['self_attn.q_proj']", "model.layers.0.self_attn.q_proj", true)]
    [InlineData("['0.self_attn.q_proj']", "model.layers.10.self_attn.q_proj", false)]
    [InlineData("['0.self_attn.q_proj']", "model.layers.0.self_attn.q_proj", true)]
    // Any entry of the list excludes (not only when every entry matches).
    [InlineData("['v_proj', 'q_proj']", "model.layers.0.self_attn.q_proj", true)]
    [InlineData("['q_proj', 'v_proj']", "model.layers.0.self_attn.q_proj", true)]
    [InlineData("['v_proj', 'k_proj']", "model.layers.0.self_attn.q_proj", false)]
    // The key is excluded only as a whole segment: a prefix of the key is not a match either.
    [InlineData("['model']", "model.layers.0.self_attn.q_proj", false)]
    public void Exclude_modules_list_matches_at_a_dot_boundary(string exclude, string key, bool excluded)
    {
        var config = Config($"'target_modules': ['q_proj', 'xq_proj', 'proj'], 'exclude_modules': {exclude}");
        Assert.Equal(excluded, config.Targets.IsExcluded(key));
        // An excluded key is never targeted; every key here not excluded is targeted (a "." suffix of a target, or "proj").
        Assert.Equal(!excluded, config.Targets.IsTargeted(key));
    }

    [Theory]
    [InlineData("['proj']", "model.layers.0.self_attn.q_proj", false)]
    [InlineData("['proj']", "model.layers.0.self_attn.proj", true)]
    [InlineData("['proj']", "proj", true)]
    [InlineData("['attn.q_proj']", "model.layers.0.self_attn.q_proj", false)]
    [InlineData("['q_proj']", "model.layers.0.self_attn.q_proj_a", false)]
    [InlineData("['q_proj', 'v_proj']", "model.layers.0.self_attn.kv_proj", false)]
    public void Target_modules_list_matches_at_a_dot_boundary(string targets, string key, bool targeted)
    {
        Assert.Equal(targeted, Config($"'target_modules': {targets}").Targets.IsTargeted(key));
    }

    [Theory]
    // layers_pattern: the segment before the index is the whole pattern, with "." on both sides.
    [InlineData("['layers']", "model.sublayers.1.self_attn.q_proj", null)]
    [InlineData("['layers']", "model.layers_x.1.self_attn.q_proj", null)]
    [InlineData("['layers']", "model.layers.1.self_attn.q_proj", 1L)]
    [InlineData("['layers']", "model.layers.12x.self_attn.q_proj", null)]
    [InlineData("['layers']", "model.layers.12.self_attn.q_proj", 12L)]
    [InlineData("['h']", "transformer.h.3.attn.q_proj", 3L)]
    [InlineData("['h']", "transformer.gh.3.attn.q_proj", null)]
    // The default rule: the first numbered segment, as a whole segment ("x1" and "1x" are not numbers).
    [InlineData("null", "model.layers.x1.mlp.2.q_proj", 2L)]
    [InlineData("null", "model.layers.1x.mlp.2.q_proj", 2L)]
    [InlineData("null", "model.layers.7.mlp.2.q_proj", 7L)]
    public void Layer_index_is_read_from_a_whole_segment(string pattern, string key, long? index)
    {
        Assert.Equal(index, Config($"'target_modules': ['q_proj'], 'layers_to_transform': [0], 'layers_pattern': {pattern}").Targets.LayerIndexOf(key));
    }

    [Theory]
    [InlineData("['layers']", "model.sublayers.1.self_attn.q_proj", false)]
    [InlineData("['layers']", "model.layers.1.self_attn.q_proj", true)]
    [InlineData("['layers']", "model.layers.11.self_attn.q_proj", false)]
    public void Layers_to_transform_uses_the_dot_bounded_layer_index(string pattern, string key, bool targeted)
    {
        var config = Config($"'target_modules': ['q_proj'], 'layers_to_transform': [1], 'layers_pattern': {pattern}");
        Assert.Equal(targeted, config.Targets.IsTargeted(key));
    }

    [Theory]
    // rank_pattern / alpha_pattern keys: re.match(rf"(.*\.)?({key})$", module_key): the full key or a "." suffix.
    [InlineData("model.layers.0.self_attn.q_proj", 8)]       // "proj" is not a dot-bounded suffix of "...q_proj"
    [InlineData("model.layers.0.self_attn.proj", 4)]
    [InlineData("proj", 4)]
    [InlineData("model.layers.0.mlp.up_proj", 8)]
    [InlineData("model.layers.0.mlp.up", 16)]               // "up" as its own segment
    [InlineData("model.layers.0.mlp.setup", 8)]             // ... but not "setup"
    [InlineData("model.layers.0.mlp.up.x", 8)]              // the key must end the module key
    public void Rank_pattern_keys_match_at_a_dot_boundary(string moduleKey, int rank)
    {
        var config = Config("'r': 8, 'lora_alpha': 8, 'rank_pattern': {'proj': 4, 'up': 16}, 'alpha_pattern': {'proj': 2, 'up': 32}");
        Assert.Equal(rank, config.RankFor(moduleKey));
        double alpha = rank switch { 4 => 2, 16 => 32, _ => 8 };
        Assert.Equal(alpha, config.AlphaFor(moduleKey));
        Assert.Equal(rank == 8 ? null : rank == 4 ? "proj" : "up", config.RankPattern.MatchingKey(moduleKey));
    }

    [Fact]
    public void Pattern_keys_are_tried_in_order_and_a_key_that_is_no_regex_match_still_matches_itself_verbatim()
    {
        // "q+proj" as a regex means "q", "qq", ... then "proj": it does not match the module key "q+proj", which PEFT's
        // get_pattern_key then looks up verbatim.
        var config = Config("'r': 8, 'rank_pattern': {'q+proj': 4, 'self_attn.q_proj': 6, 'q_proj': 2}, 'alpha_pattern': {'q+proj': 5}");
        Assert.Equal(4, config.RankFor("q+proj"));
        Assert.Equal("q+proj", config.RankPattern.MatchingKey("q+proj"));
        Assert.Equal(5, config.AlphaFor("q+proj"));
        Assert.Equal(4, config.RankFor("model.qqproj"));              // the regex reading of the same key
        Assert.Equal(6, config.RankFor("model.layers.0.self_attn.q_proj")); // the first key in JSON order wins
        Assert.Equal("self_attn.q_proj", config.RankPattern.MatchingKey("model.layers.0.self_attn.q_proj"));
        Assert.Equal(2, config.RankFor("model.layers.0.cross_attn.q_proj"));
        Assert.Equal(8, config.RankFor("model.layers.0.self_attn.k_proj"));
        Assert.Null(config.RankPattern.MatchingKey("model.layers.0.self_attn.k_proj"));
        Assert.Equal(3, config.RankPattern.Count);
        Assert.Equal(["q+proj", "self_attn.q_proj", "q_proj"], config.RankPattern.Patterns.Select(p => p.Key));
        Assert.Equal([4, 6, 2], config.RankPattern.Patterns.Select(p => p.Value));
    }

    [Fact]
    public void Modules_to_save_match_whole_segments()
    {
        var targets = Config("'target_modules': ['q_proj', 'score'], 'modules_to_save': ['score']").Targets;
        Assert.True(targets.IsModuleToSave("model.score"));
        Assert.True(targets.IsModuleToSave("model.score.dense"));
        Assert.False(targets.IsModuleToSave("model.subscore"));
        Assert.False(targets.IsModuleToSave("model.scores.dense"));
        Assert.False(targets.IsTargeted("model.score"));
    }
}
