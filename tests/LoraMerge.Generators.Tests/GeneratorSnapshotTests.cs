using LoraMerge.Generators.Tests.Infrastructure;

namespace LoraMerge.Generators.Tests;

public class GeneratorSnapshotTests
{
    [Theory]
    [InlineData("Llama")]
    [InlineData("Gpt2")]
    [InlineData("LlamaEmbedded")]
    [InlineData("Edges")]
    public void Emitted_source_matches_the_snapshot(string which)
    {
        var json = which switch
        {
            "Llama" => Manifests.Llama(),
            "Gpt2" => Manifests.Gpt2(),
            "LlamaEmbedded" => Manifests.Llama("Tiny", embedded: true),
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
}
