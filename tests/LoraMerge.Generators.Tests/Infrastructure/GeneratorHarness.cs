using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using LoraMerge.Runtime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LoraMerge.Generators.Tests.Infrastructure;

internal sealed record Manifest(string Path, string Json, bool Flagged = true);

/// <summary>Runs <see cref="LoraModelGenerator"/> through <see cref="CSharpGeneratorDriver"/> with in-memory manifests.</summary>
internal static class GeneratorHarness
{
    public const string RootNamespace = "Sample.App";

    public static readonly string[] TrackedStepNames = ["Settings", "Parse", "Specs", "Duplicates", "Emit"];

    public static readonly CSharpParseOptions ParseOptions =
        CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest).WithDocumentationMode(DocumentationMode.Diagnose);

    public static GeneratorDriver CreateDriver(IEnumerable<Manifest> manifests, string? rootNamespace = RootNamespace) =>
        CreateDriver(manifests, out _, rootNamespace);

    public static GeneratorDriver CreateDriver(IEnumerable<Manifest> manifests, out IReadOnlyList<AdditionalText> texts,
        string? rootNamespace = RootNamespace)
    {
        var list = manifests.ToList();
        texts = list.Select(m => (AdditionalText)new InMemoryAdditionalText(m.Path, m.Json)).ToList();
        var global = new Dictionary<string, string>();
        if (rootNamespace is not null) global["build_property.RootNamespace"] = rootNamespace;
        var perFile = list.Where(m => m.Flagged).ToDictionary(
            m => m.Path, m => new Dictionary<string, string> { ["build_metadata.AdditionalFiles.LoraModelManifest"] = "true" });
        return CSharpGeneratorDriver.Create(
            generators: [new LoraModelGenerator().AsSourceGenerator()],
            additionalTexts: texts,
            parseOptions: ParseOptions,
            optionsProvider: new TestOptionsProvider(global, perFile),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "GeneratedModelTest",
            sources.Select(s => CSharpSyntaxTree.ParseText(s, ParseOptions)),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: false));

    public static ImmutableArray<MetadataReference> References { get; } = BuildReferences();

    public static GeneratorDriverRunResult Run(IEnumerable<Manifest> manifests, string? rootNamespace = RootNamespace) =>
        CreateDriver(manifests, rootNamespace).RunGenerators(CreateCompilation()).GetRunResult();

    /// <summary>Runs the generator and compiles its output with <paramref name="extraSources"/>; returns the updated compilation.</summary>
    public static (Compilation Compilation, ImmutableArray<Diagnostic> GeneratorDiagnostics) RunAndCompile(
        IEnumerable<Manifest> manifests, params string[] extraSources)
    {
        CreateDriver(manifests).RunGeneratorsAndUpdateCompilation(CreateCompilation(extraSources), out var output, out var diagnostics);
        return (output, diagnostics);
    }

    private static ImmutableArray<MetadataReference> BuildReferences()
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var platform = tpa.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
                                      || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll" or "Microsoft.Win32.Primitives.dll");
        return platform.Append(typeof(ModelTensor).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }

    /// <summary>
    /// Every output of every tracked step must be free of Compilation, ISymbol and SyntaxNode (they would defeat caching
    /// and keep compilations alive). Walks the object graph through fields, as NetEscapades.EnumGenerators' tests do.
    /// </summary>
    public static void AssertNoRoslynObjects(GeneratorRunResult result)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        // Only the generator's own named steps: the input providers (AdditionalTexts, options) are Roslyn's.
        foreach (var step in result.TrackedSteps.Where(s => TrackedStepNames.Contains(s.Key)).SelectMany(s => s.Value))
        {
            foreach (var (value, _) in step.Outputs) Visit(value, visited, step.Name ?? "(step)");
        }
    }

    private static void Visit(object? node, HashSet<object> visited, string path)
    {
        if (node is null || !visited.Add(node)) return;
        Assert.False(node is Compilation or ISymbol or SyntaxNode or SyntaxTree or AdditionalText,
            $"{path} holds a {node.GetType().Name}, which must not flow through the pipeline.");
        var type = node.GetType();
        if (type.IsPrimitive || type.IsEnum || node is string) return;
        if (node is IEnumerable collection)
        {
            var i = 0;
            foreach (var item in collection) Visit(item, visited, $"{path}[{i++}]");
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer || field.FieldType.IsByRefLike) continue;
                Visit(field.GetValue(node), visited, $"{path}.{field.Name}");
            }
        }
    }
}
