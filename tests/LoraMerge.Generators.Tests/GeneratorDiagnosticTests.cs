using LoraMerge.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace LoraMerge.Generators.Tests;

public class GeneratorDiagnosticTests
{
    private const string Path = "/obj/lora/Math.lora-model.json";

    private static Diagnostic Single(string json, string id)
    {
        var result = GeneratorHarness.Run([new Manifest(Path, json)]);
        Assert.Empty(result.GeneratedTrees);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(Path, diagnostic.Location.GetLineSpan().Path);
        return diagnostic;
    }

    /// <summary>The text the diagnostic's span covers, so each test proves it points at the right token.</summary>
    private static string Covered(string json, Diagnostic d) => json.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);

    [Fact]
    public void Invalid_json_is_LORAGEN001_at_the_offending_character()
    {
        const string json = "{\n  \"formatVersion\": 1,\n  \"model\": \"Math\" \"artifact\": \"x\"\n}";
        var d = Single(json, "LORAGEN001");
        Assert.Equal(new LinePosition(2, 18), d.Location.GetLineSpan().StartLinePosition);
        Assert.Contains("expected ',' or '}' in object", d.GetMessage());
    }

    [Fact]
    public void Truncated_json_is_LORAGEN001()
    {
        var d = Single("{\"formatVersion\": 1, \"tensors\": [", "LORAGEN001");
        Assert.Contains("unexpected end of JSON", d.GetMessage());
    }

    [Fact]
    public void Missing_field_is_LORAGEN002_at_the_object()
    {
        var json = Manifests.Llama().Replace("\"fingerprint\"", "\"fingerprintx\"");
        var d = Single(json, "LORAGEN002");
        Assert.Equal("Model manifest field 'fingerprint' is missing", d.GetMessage());
        Assert.Equal("{", Covered(json, d));
        Assert.Equal(new LinePosition(0, 0), d.Location.GetLineSpan().StartLinePosition);
    }

    [Theory]
    [InlineData("[\"onnx\"]", "\"onnx\"")]
    [InlineData("[]", "[]")]
    [InlineData("\"gguf\"", "\"gguf\"")]
    public void Unknown_formats_are_LORAGEN002_at_the_value(string formats, string covered)
    {
        var json = Manifests.Llama().Replace("  \"config\":", $"  \"formats\": {formats},\n  \"config\":");
        var d = Single(json, "LORAGEN002");
        Assert.StartsWith("Model manifest field 'formats' must be", d.GetMessage());
        Assert.Equal(covered, Covered(json, d));
    }

    [Theory]
    [InlineData("namespace", "Acme..Models")]
    [InlineData("namespace", "Acme.class")]
    [InlineData("className", "3Models")]
    [InlineData("className", "Math Model")]
    [InlineData("className", "static")]
    [InlineData("access", "private")]
    public void Invalid_class_options_are_LORAGEN002_at_the_value(string field, string value)
    {
        var json = Manifests.Llama().Replace("  \"config\":", $"  \"{field}\": \"{value}\",\n  \"config\":");
        var d = Single(json, "LORAGEN002");
        Assert.StartsWith($"Model manifest field '{field}' must be", d.GetMessage());
        Assert.Equal($"\"{value}\"", Covered(json, d));
    }

    [Fact]
    public void Two_models_with_the_same_ClassName_in_one_namespace_are_LORAGEN005()
    {
        var result = GeneratorHarness.Run(
            [new Manifest("/a/a.json", Manifests.WithClassOptions(Manifests.Llama("Math"), className: "Shared")),
             new Manifest("/a/b.json", Manifests.WithClassOptions(Manifests.Llama("Chat"), className: "Shared"))]);
        Assert.Empty(result.GeneratedTrees);
        Assert.Equal(["LORAGEN005", "LORAGEN005"], result.Diagnostics.Select(d => d.Id));
    }

    [Fact]
    public void Tensors_in_a_gguf_only_manifest_are_LORAGEN002()
    {
        var json = Manifests.Llama().Replace("  \"config\":", "  \"formats\": [\"gguf\"],\n  \"config\":");
        var d = Single(json, "LORAGEN002");
        Assert.StartsWith("Model manifest field 'tensors' must be absent", d.GetMessage());
    }

    [Fact]
    public void Wrong_typed_field_is_LORAGEN002_at_the_value()
    {
        var json = Manifests.Llama().Replace("\"embedded\": false", "\"embedded\": \"no\"");
        var d = Single(json, "LORAGEN002");
        Assert.Equal("Model manifest field 'embedded' must be true or false", d.GetMessage());
        Assert.Equal("\"no\"", Covered(json, d));
        Assert.Equal(4, d.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void Bad_shape_is_LORAGEN002_naming_the_tensor_index()
    {
        var json = Manifests.Llama().Replace("\"shape\": [32, 8]", "\"shape\": [32, -8]");
        var result = GeneratorHarness.Run([new Manifest(Path, json)]);
        Assert.Empty(result.GeneratedTrees);
        var d = result.Diagnostics.First();
        Assert.Equal("LORAGEN002", d.Id);
        Assert.Equal("Model manifest field 'tensors[0].shape' must be an array of non-negative integers", d.GetMessage());
        Assert.Equal("-8", Covered(json, d));
    }

    [Fact]
    public void Unknown_dtype_is_LORAGEN003_at_the_dtype()
    {
        var json = Manifests.Build("Math", "{}", [("w", "FP4", [2L], "model.safetensors")]);
        var d = Single(json, "LORAGEN003");
        Assert.Contains("Tensor 'w' has unknown dtype 'FP4'", d.GetMessage());
        Assert.Equal("\"FP4\"", Covered(json, d));
    }

    [Fact]
    public void Unsupported_format_version_is_LORAGEN004()
    {
        var json = Manifests.Llama().Replace("\"formatVersion\": 1", "\"formatVersion\": 2");
        var d = Single(json, "LORAGEN004");
        Assert.Equal("Model manifest formatVersion 2 is not supported by this generator (supported: 1)", d.GetMessage());
        Assert.Equal("2", Covered(json, d));
        Assert.Equal(new LinePosition(1, 19), d.Location.GetLineSpan().StartLinePosition);
    }

    [Fact]
    public void Duplicate_model_names_are_LORAGEN005_on_each_manifest_and_generate_nothing_for_that_name()
    {
        var result = GeneratorHarness.Run(
        [
            new Manifest("/a/one.json", Manifests.Llama("Math")),
            new Manifest("/a/two.json", Manifests.Gpt2("Math")),
            new Manifest("/a/three.json", Manifests.Gpt2("Story")),
        ]);
        Assert.Equal(new[] { "/a/one.json", "/a/two.json" }, result.Diagnostics.Select(d => d.Location.GetLineSpan().Path).Order());
        Assert.All(result.Diagnostics, d => Assert.Equal("LORAGEN005", d.Id));
        Assert.All(result.Diagnostics, d => Assert.Equal(2, d.Location.GetLineSpan().StartLinePosition.Line));
        var tree = Assert.Single(result.GeneratedTrees);
        Assert.EndsWith("StoryModel.g.cs", tree.FilePath);
    }

    [Theory]
    [InlineData("My Model")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("")]
    [InlineData("Modèle")]
    public void Bad_model_name_is_LORAGEN006_at_the_name(string name)
    {
        var json = Manifests.Gpt2(name);
        var d = Single(json, "LORAGEN006");
        Assert.Contains($"Model name '{name}' is not a valid model folder name", d.GetMessage());
        Assert.Equal($"\"{name}\"", Covered(json, d));
    }

    [Fact]
    public void Duplicate_tensor_is_LORAGEN007_at_the_second_name()
    {
        var json = Manifests.Build("Math", "{}", [("w", "F32", [2L], "a.safetensors"), ("w", "F32", [2L], "b.safetensors")]);
        var d = Single(json, "LORAGEN007");
        Assert.Equal("Tensor 'w' is listed more than once in the model manifest", d.GetMessage());
        Assert.Equal(json.LastIndexOf("\"w\"", StringComparison.Ordinal), d.Location.SourceSpan.Start);
    }

    [Fact]
    public void Several_problems_in_one_manifest_are_all_reported()
    {
        var json = Manifests.Build("Math", "[]", [("w", "FP4", [2L], "")]).Replace("\"artifact\"", "\"art\"");
        var result = GeneratorHarness.Run([new Manifest(Path, json)]);
        Assert.Equal(new[] { "LORAGEN002", "LORAGEN002", "LORAGEN002", "LORAGEN003" }, result.Diagnostics.Select(d => d.Id).Order());
        Assert.Empty(result.GeneratedTrees);
    }
}
