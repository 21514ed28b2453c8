using LoraMerge.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace LoraMerge.Generators.Tests;

public class GeneratedCodeCompilesTests
{
    private const string LlamaUsage = """
        using LoraMerge.Runtime;
        using Sample.App;

        internal static class LlamaUsage
        {
            public static ModelTensor QProj(MathModel m) => m.Model.Layers[1].SelfAttn.QProj.Weight;
            public static ModelTensor Head(MathModel m) => m.LmHead.Weight;
            public static ModelTensor Norm(MathModel m) => m.Model.Norm.Weight;
            public static int Layers => MathModel.Config.NumHiddenLayers;
            public static string Architecture => MathModel.Config.Architecture;
            public static double Eps => MathModel.Config.RmsNormEps;
            public static long Big => MathModel.Config.BigNumber;
            public static bool Tie => MathModel.Config.TieWordEmbeddings;
            public static int Eos1 => MathModel.Config.EosTokenId[1];
            public static MathModel Load() => MathModel.Load(verifyHashes: true);
            public static ModelDescription Description => MathModel.Description;
        }
        """;

    private const string Gpt2Usage = """
        using LoraMerge.Runtime;
        using Sample.App;

        internal static class Gpt2Usage
        {
            public static ModelTensor CAttn(StoryModel m) => m.Transformer.H[0].Attn.CAttn.Weight;
            public static ModelTensor Wte(StoryModel m) => m.Transformer.Wte.Weight;
            public static ModelTensor LnFBias(StoryModel m) => m.Transformer.LnF.Bias;
            public static int NEmbd => StoryModel.Config.NEmbd;
            public static string Activation => StoryModel.Config.ActivationFunction;
            public static bool ScaleAttn => StoryModel.Config.ScaleAttnWeights;
        }
        """;

    [Fact]
    public void Llama_and_Gpt2_models_compile_without_errors_or_warnings()
    {
        var (compilation, diagnostics) = GeneratorHarness.RunAndCompile(
            [new Manifest("/a/math.json", Manifests.Llama()), new Manifest("/a/story.json", Manifests.Gpt2())],
            LlamaUsage, Gpt2Usage);

        Assert.Empty(diagnostics);
        Assert.Equal(4, compilation.SyntaxTrees.Count());
        AssertClean(compilation);
    }

    [Fact]
    public void Embedded_model_compiles_without_errors_or_warnings()
    {
        var (compilation, diagnostics) = GeneratorHarness.RunAndCompile([new Manifest("/a/tiny.json", Manifests.Llama("Tiny", embedded: true))]);
        Assert.Empty(diagnostics);
        AssertClean(compilation);
    }

    private const string GgufUsage = """
        using LoraMerge.Runtime;
        using Sample.App;

        internal static class GgufUsage
        {
            public static string Both => BofhModel.GgufPath;
            public static ModelTensor QProj(BofhModel m) => m.Model.Layers[1].SelfAttn.QProj.Weight;
            public static string Only => ChatModel.GgufPath;
            public static int Layers => ChatModel.Config.NumHiddenLayers;
        }
        """;

    [Fact]
    public void Models_with_a_gguf_compile_without_errors_or_warnings()
    {
        var (compilation, diagnostics) = GeneratorHarness.RunAndCompile(
            [new Manifest("/a/bofh.json", Manifests.Llama("Bofh", formats: ["safetensors", "gguf"])),
             new Manifest("/a/chat.json", Manifests.Llama("Chat", embedded: true, formats: ["gguf"]))],
            GgufUsage);

        Assert.Empty(diagnostics);
        AssertClean(compilation);
        Assert.True(compilation.GetTypeByMetadataName("Sample.App.ChatModel")!.IsStatic, "a GGUF-only model has no weights to load");
    }

    [Fact]
    public void Naming_edge_cases_compile_with_the_documented_names()
    {
        var (compilation, diagnostics) = GeneratorHarness.RunAndCompile(
            [new Manifest("/a/edge.json", NamingEdgeCases.Manifest)], NamingEdgeCases.Usage);
        Assert.Empty(diagnostics);
        AssertClean(compilation);
    }

    [Fact]
    public void Skipped_config_values_produce_no_member()
    {
        var (compilation, _) = GeneratorHarness.RunAndCompile([new Manifest("/a/edge.json", NamingEdgeCases.Manifest)]);
        var config = compilation.GetTypeByMetadataName("Sample.App.EdgeModel+Config")!;
        var names = config.GetMembers().Select(m => m.Name).Where(n => !n.StartsWith('.')).ToHashSet();
        foreach (var skipped in new[] { "Mixed", "Empty", "Nested", "Huge" }) Assert.DoesNotContain(skipped, names);
        Assert.Contains("Floats", names);
    }

    [Fact]
    public void Every_safetensors_dtype_compiles_to_its_DType_member()
    {
        string[] dtypes =
        [
            "BOOL", "U8", "I8", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "F6_E2M3", "F6_E3M2", "F4",
            "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "I64", "U64", "F64", "C64",
        ];
        var json = Manifests.Build("Packed", "{}", dtypes.Select((d, i) => ($"w{i}", d, new[] { 8L }, "model.safetensors")));
        var (compilation, diagnostics) = GeneratorHarness.RunAndCompile([new Manifest("/a/packed.json", json)]);
        Assert.Empty(diagnostics);
        AssertClean(compilation);
        string generated = string.Join("\n", compilation.SyntaxTrees.Select(t => t.ToString()));
        foreach (var d in dtypes)
            Assert.Contains($"global::LoraMerge.Formats.DType.{d},", generated);
    }

    private const string ClassOptionsUsage = """
        using LoraMerge.Runtime;

        internal static class ClassOptionsUsage
        {
            public static ModelTensor QProj(Acme.Models.Mathematics m) => m.Model.Layers[1].SelfAttn.QProj.Weight;
            public static string Only => Acme.Chat.ChatModel.GgufPath;
            public static ModelTensor Default(Sample.App.MathModel m) => m.LmHead.Weight;
        }
        """;

    [Fact]
    public void Namespace_ClassName_and_Access_shape_the_class_and_keep_same_named_models_apart()
    {
        var (compilation, diagnostics) = GeneratorHarness.RunAndCompile(
            [new Manifest("/a/a.json", Manifests.WithClassOptions(Manifests.Llama("Math"), "Acme.Models", "Mathematics", "internal")),
             new Manifest("/a/b.json", Manifests.WithClassOptions(Manifests.Llama("Chat", formats: ["gguf"]), classNamespace: "Acme.Chat", access: "public")),
             // The same model name, hence the same default class name, in the default namespace: no collision.
             new Manifest("/a/c.json", Manifests.Llama("math"))],
            ClassOptionsUsage);

        Assert.Empty(diagnostics);
        AssertClean(compilation);
        Assert.Equal(Accessibility.Internal, compilation.GetTypeByMetadataName("Acme.Models.Mathematics")!.DeclaredAccessibility);
        Assert.Equal(Accessibility.Public, compilation.GetTypeByMetadataName("Acme.Chat.ChatModel")!.DeclaredAccessibility);
        Assert.Equal(Accessibility.Public, compilation.GetTypeByMetadataName("Sample.App.MathModel")!.DeclaredAccessibility);
        Assert.Null(compilation.GetTypeByMetadataName("Sample.App.Mathematics"));
    }

    private static void AssertClean(Compilation compilation)
    {
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems.Select(d => d.ToString())));
    }
}
