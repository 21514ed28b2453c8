using LoraMerge.Peft;

namespace LoraMerge.Core.Tests.Peft;

public class TargetMatcherTests
{
    private static TargetMatcher Matcher(string fields) => PeftFixtures.Parse("{'peft_type': 'LORA', " + fields + "}").Targets;

    [Theory]
    // A list matches the exact key or a "." + name suffix.
    [InlineData("['q_proj']", "q_proj", true)]
    [InlineData("['q_proj']", "model.layers.0.self_attn.q_proj", true)]
    [InlineData("['q_proj']", "model.layers.0.self_attn.xq_proj", false)]
    [InlineData("['q_proj']", "model.layers.0.self_attn.q_proj.inner", false)]
    [InlineData("['self_attn.q_proj']", "model.layers.0.self_attn.q_proj", true)]
    [InlineData("['model.layers.0.self_attn.q_proj']", "model.layers.0.self_attn.q_proj", true)]
    [InlineData("['q_proj', 'v_proj']", "model.layers.3.self_attn.v_proj", true)]
    [InlineData("[]", "model.layers.0.self_attn.q_proj", false)]
    [InlineData("['q_proj']", "", false)]
    // A string must match the whole key.
    [InlineData("'q_proj'", "model.layers.0.self_attn.q_proj", false)]
    [InlineData("'.*q_proj'", "model.layers.0.self_attn.q_proj", true)]
    [InlineData("'.*\\\\.(q|v)_proj'", "model.layers.0.self_attn.v_proj", true)]
    [InlineData("'.*\\\\.(q|v)_proj'", "model.layers.0.self_attn.k_proj", false)]
    [InlineData("'.*oba.*'", "foobar", true)]
    [InlineData("'fo.*'", "foo", true)]
    [InlineData("'.*bar.*'", "foo", false)]
    // Alternation at the top level still has to cover the whole key.
    [InlineData("'q_proj|.*v_proj'", "model.v_proj", true)]
    [InlineData("'q_proj|.*v_proj'", "model.q_proj", false)]
    public void Target_modules_list_and_regex(string targets, string key, bool expected)
    {
        Assert.Equal(expected, Matcher($"'target_modules': {targets}").IsTargeted(key));
    }

    [Theory]
    [InlineData("[1]", "['bar']", "foo.bar.1.baz", true)]
    [InlineData("[0]", "['bar']", "foo.bar.1.baz", false)]
    [InlineData("[0]", "['bar']", "foo.bar.10.baz", false)]
    [InlineData("[0, 1, 2]", "['bar']", "foo.bar.1.baz", true)]
    [InlineData("1", "['bar']", "foo.bar.1.baz", true)]
    [InlineData("[1]", "['bar']", "foo.bar.001.baz", true)]
    // The pattern must follow a dot, and the first number after it counts.
    [InlineData("[1]", "['bar']", "bar.1.baz", false)]
    [InlineData("[1]", "['foo']", "foo.bar.1.baz", false)]
    [InlineData("[1]", "['baz']", "foo.bar.1.baz", false)]
    [InlineData("[1]", "['bar']", "foo.bar.1.spam.2.baz", true)]
    [InlineData("[1]", "['bar']", "foo.bar.2.spam.1.baz", false)]
    // Without a pattern ("", [] or absent) the first numbered segment is the layer index, not a nested one.
    [InlineData("[1]", "[]", "foo.whatever.1.baz", true)]
    [InlineData("[0]", "''", "foo.whatever.1.baz", false)]
    [InlineData("[1]", "null", "foo.whatever.1.baz", true)]
    [InlineData("[1]", "null", "model.layers.1.experts.0.baz", true)]
    [InlineData("[0]", "null", "model.layers.1.experts.0.baz", false)]
    [InlineData("[1]", "null", "m.baz", false)]
    // Several patterns are tried in order.
    [InlineData("[2]", "['layers', 'h']", "transformer.h.2.baz", true)]
    public void Layers_to_transform_filters_suffix_matches(string layers, string pattern, string key, bool expected)
    {
        Assert.Equal(expected, Matcher($"'target_modules': ['baz'], 'layers_to_transform': {layers}, 'layers_pattern': {pattern}").IsTargeted(key));
    }

    [Fact]
    public void Layers_to_transform_does_not_filter_exact_keys()
    {
        var matcher = Matcher("'target_modules': ['model.layers.5.baz'], 'layers_to_transform': [0]");
        Assert.True(matcher.IsTargeted("model.layers.5.baz"));
    }

    [Fact]
    public void Empty_layers_to_transform_list_does_not_filter()
    {
        Assert.True(Matcher("'target_modules': ['baz'], 'layers_to_transform': []").IsTargeted("m.layers.7.baz"));
    }

    [Theory]
    [InlineData("['v_proj']", "model.layers.0.self_attn.v_proj", false)]
    [InlineData("['v_proj']", "model.layers.0.self_attn.q_proj", true)]
    [InlineData("['model.layers.0.self_attn.q_proj']", "model.layers.0.self_attn.q_proj", false)]
    [InlineData("['layers.0.self_attn.q_proj']", "model.layers.0.self_attn.q_proj", false)]
    [InlineData("['layers.0.self_attn.q_proj']", "model.layers.10.self_attn.q_proj", true)]
    [InlineData("'.*layers\\\\.1\\\\..*'", "model.layers.1.self_attn.q_proj", false)]
    [InlineData("'.*layers\\\\.1\\\\..*'", "model.layers.11.self_attn.q_proj", true)]
    [InlineData("'layers\\\\.1\\\\..*'", "model.layers.1.self_attn.q_proj", true)]
    [InlineData("''", "model.layers.1.self_attn.q_proj", true)]
    public void Exclude_modules_wins_over_targets(string exclude, string key, bool expected)
    {
        var matcher = Matcher($"'target_modules': ['q_proj', 'v_proj'], 'exclude_modules': {exclude}");
        Assert.Equal(expected, matcher.IsTargeted(key));
    }

    [Theory]
    [InlineData("score", true)]
    [InlineData("model.score", true)]
    [InlineData("score.dense", true)]
    [InlineData("model.scorer", false)]
    [InlineData("model.layers.0.q_proj", false)]
    public void Modules_to_save_are_never_targeted(string key, bool isModuleToSave)
    {
        var matcher = Matcher("'target_modules': '.*', 'modules_to_save': ['score']");
        Assert.Equal(isModuleToSave, matcher.IsModuleToSave(key));
        Assert.Equal(!isModuleToSave, matcher.IsTargeted(key));
    }

    [Fact]
    public void Unknown_targets_accept_everything_not_excluded()
    {
        var allLinear = Matcher("'target_modules': 'all-linear', 'exclude_modules': ['lm_head']");
        Assert.False(allLinear.KnowsTargets);
        Assert.True(allLinear.IsTargeted("model.layers.0.mlp.up_proj"));
        Assert.False(allLinear.IsTargeted("lm_head"));

        var absent = Matcher("'r': 4");
        Assert.False(absent.KnowsTargets);
        Assert.True(absent.IsTargeted("model.layers.0.mlp.up_proj"));

        Assert.True(Matcher("'target_modules': ['q']").KnowsTargets);
        Assert.True(Matcher("'target_modules': '.*q'").KnowsTargets);
    }

    [Theory]
    [InlineData("model.layers.12.self_attn.q_proj", 12L)]
    [InlineData("transformer.h.3.attn.c_attn", 3L)]
    [InlineData("lm_head", null)]
    public void LayerIndexOf_reads_the_first_numbered_segment(string key, long? expected)
    {
        Assert.Equal(expected, Matcher("'target_modules': ['q']").LayerIndexOf(key));
    }

    [Fact]
    public void Python_named_groups_are_translated()
    {
        var matcher = Matcher("'target_modules': '.*\\\\.(?P<kind>q|v)_proj'");
        Assert.True(matcher.IsTargeted("model.layers.0.self_attn.q_proj"));
        Assert.False(matcher.IsTargeted("model.layers.0.self_attn.k_proj"));
    }
}
