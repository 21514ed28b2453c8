using LoraMerge.Generators.Tests.Infrastructure;

namespace LoraMerge.Generators.Tests;

public class GeneratorSnapshotTests
{
    [Theory]
    [InlineData("Llama")]
    [InlineData("Gpt2")]
    [InlineData("LlamaEmbedded")]
    [InlineData("Edges")]
    [InlineData("LlamaWithGguf")]
    [InlineData("GgufOnlyEmbedded")]
    public void Emitted_source_matches_the_snapshot(string which)
    {
        var json = which switch
        {
            "Llama" => Manifests.Llama(),
            "Gpt2" => Manifests.Gpt2(),
            "LlamaEmbedded" => Manifests.Llama("Tiny", embedded: true),
            "LlamaWithGguf" => Manifests.Llama("Bofh", formats: ["safetensors", "gguf"]),
            "GgufOnlyEmbedded" => Manifests.Llama("Chat", embedded: true, formats: ["gguf"]),
            _ => NamingEdgeCases.Manifest,
        };
        var result = GeneratorHarness.Run([new Manifest("/obj/lora/model.lora-model.json", json)]);

        Assert.Empty(result.Diagnostics);
        var tree = Assert.Single(result.GeneratedTrees);
        Snapshot.Match($"{which}.{Path.GetFileName(tree.FilePath)}", tree.ToString());
    }

    [Fact]
    public void Files_without_the_manifest_metadata_are_ignored()
    {
        var result = GeneratorHarness.Run([new Manifest("/src/other.json", Manifests.Llama(), Flagged: false)]);
        Assert.Empty(result.GeneratedTrees);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void No_root_namespace_emits_into_the_global_namespace()
    {
        var result = GeneratorHarness.Run([new Manifest("/m.json", Manifests.Gpt2())], rootNamespace: null);
        var text = Assert.Single(result.GeneratedTrees).ToString();
        Assert.DoesNotContain("namespace ", text);
        Assert.Contains("public sealed partial class StoryModel", text);
    }

    [Fact]
    public void Generated_code_mentions_no_adapter_or_merge_concept_and_no_reflection()
    {
        var result = GeneratorHarness.Run([new Manifest("/m.json", Manifests.Llama())]);
        var text = Assert.Single(result.GeneratedTrees).ToString();
        var withoutLibraryNamespace = text.Replace("global::LoraMerge.", "");
        foreach (var word in new[] { "adapter", "lora", "merge", "peft", "System.Reflection", "GetType(" })
        {
            Assert.DoesNotContain(word, withoutLibraryNamespace, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Only_a_model_with_a_gguf_gets_GgufPath()
    {
        var result = GeneratorHarness.Run([
            new Manifest("/a.json", Manifests.Llama("Plain")),
            new Manifest("/b.json", Manifests.Llama("Listed", formats: ["safetensors"])),
            new Manifest("/c.json", Manifests.Llama("Both", formats: ["gguf", "safetensors"]))]);

        Assert.Empty(result.Diagnostics);
        var sources = result.GeneratedTrees.ToDictionary(t => Path.GetFileName(t.FilePath), t => t.ToString());
        Assert.DoesNotContain("GgufPath", sources["PlainModel.g.cs"]);
        Assert.Equal(sources["PlainModel.g.cs"].Replace("Plain", "Listed"), sources["ListedModel.g.cs"]);
        Assert.Contains("public static string GgufPath => global::LoraMerge.Runtime.GgufFile.Resolve(\"Both\", \"models/Both\", ", sources["BothModel.g.cs"]);
        Assert.Contains("public sealed partial class BothModel", sources["BothModel.g.cs"]);
    }
}
