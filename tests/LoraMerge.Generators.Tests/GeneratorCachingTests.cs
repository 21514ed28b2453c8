using LoraMerge.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace LoraMerge.Generators.Tests;

public class GeneratorCachingTests
{
    private static readonly Manifest[] Models =
    [
        new("/a/math.json", Manifests.Llama()),
        new("/a/story.json", Manifests.Gpt2()),
        new("/a/bad.json", "{ not json"),
        new("/a/bofh.json", Manifests.Llama("Bofh", formats: ["safetensors", "gguf"])),
        new("/a/chat.json", Manifests.Llama("Chat", formats: ["gguf"])),
    ];

    [Fact]
    public void A_second_run_is_fully_cached()
    {
        var compilation = GeneratorHarness.CreateCompilation("public class UserCode { }");
        var driver = GeneratorHarness.CreateDriver(Models).RunGenerators(compilation);
        var first = driver.GetRunResult();
        Assert.Equal(4, first.GeneratedTrees.Length);

        var second = driver.RunGenerators(compilation.Clone()).GetRunResult();
        var result = Assert.Single(second.Results);
        foreach (var name in GeneratorHarness.TrackedStepNames)
        {
            Assert.True(result.TrackedSteps.ContainsKey(name), $"step {name} was not tracked");
            Assert.All(result.TrackedSteps[name].SelectMany(s => s.Outputs),
                o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {o.Reason}"));
        }
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        GeneratorHarness.AssertNoRoslynObjects(result);
    }

    [Fact]
    public void Editing_user_code_does_not_rerun_the_emitter()
    {
        var driver = GeneratorHarness.CreateDriver(Models).RunGenerators(GeneratorHarness.CreateCompilation("public class A { }"));
        var second = driver.RunGenerators(GeneratorHarness.CreateCompilation("public class B { public int X; }")).GetRunResult();
        Assert.All(second.Results[0].TrackedSteps["Emit"].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Fact]
    public void Editing_one_manifest_reemits_only_that_model()
    {
        var compilation = GeneratorHarness.CreateCompilation();
        var driver = GeneratorHarness.CreateDriver(Models, out var texts).RunGenerators(compilation);
        var edited = new InMemoryAdditionalText("/a/story.json", Manifests.Gpt2().Replace("\"n_head\": 2", "\"n_head\": 4"));
        driver = driver.ReplaceAdditionalText(texts.Single(t => t.Path == "/a/story.json"), edited);

        var result = driver.RunGenerators(compilation).GetRunResult();
        var reasons = result.Results[0].TrackedSteps["Emit"].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(4, reasons.Count);
        Assert.Single(reasons, IncrementalStepRunReason.Modified);
        Assert.Contains("public const int NHead = 4;", result.GeneratedTrees.Single(t => t.FilePath.EndsWith("StoryModel.g.cs")).ToString());
        GeneratorHarness.AssertNoRoslynObjects(result.Results[0]);
    }

    [Fact]
    public void Adding_a_gguf_to_one_model_reemits_only_that_model_with_GgufPath()
    {
        var compilation = GeneratorHarness.CreateCompilation();
        var driver = GeneratorHarness.CreateDriver(Models, out var texts).RunGenerators(compilation);
        var edited = new InMemoryAdditionalText("/a/math.json", Manifests.Llama(formats: ["safetensors", "gguf"]));
        driver = driver.ReplaceAdditionalText(texts.Single(t => t.Path == "/a/math.json"), edited);

        var result = driver.RunGenerators(compilation).GetRunResult();
        var reasons = result.Results[0].TrackedSteps["Emit"].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Single(reasons, IncrementalStepRunReason.Modified);
        Assert.Contains("public static string GgufPath", result.GeneratedTrees.Single(t => t.FilePath.EndsWith("MathModel.g.cs")).ToString());
        GeneratorHarness.AssertNoRoslynObjects(result.Results[0]);
    }
}
