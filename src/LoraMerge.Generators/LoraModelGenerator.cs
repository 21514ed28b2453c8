using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using LoraMerge.Generators.Emit;
using LoraMerge.Generators.Model;
using Microsoft.CodeAnalysis;

namespace LoraMerge.Generators;

/// <summary>
/// Emits one typed model class per manifest passed as an AdditionalFile with <c>LoraModelManifest="true"</c>.
/// Source and diagnostics are separate outputs; every model in the pipeline is value-equatable.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class LoraModelGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var settings = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => new GlobalSettings(
                options.GlobalOptions.TryGetValue("build_property.RootNamespace", out var ns) ? ns ?? "" : ""))
            .WithTrackingName(TrackingNames.Settings);

        var parsed = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Where(static pair => ManifestParser.IsManifest(pair.Right.GetOptions(pair.Left)))
            .Select(static (pair, ct) => ManifestParser.Parse(pair.Left.Path, pair.Left.GetText(ct), ct))
            .WithTrackingName(TrackingNames.Parse);

        var duplicates = parsed
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => (r.Spec!.Name, ClassKey: (r.Spec.Namespace ?? "") + "|" + r.Spec.ClassName, r.ModelNameLocation))
            .Collect()
            .Select(static (names, _) => FindDuplicates(names))
            .WithTrackingName(TrackingNames.Duplicates);

        var specs = parsed
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => r.Spec!)
            .WithTrackingName(TrackingNames.Specs);

        context.RegisterSourceOutput(parsed.SelectMany(static (r, _) => r.Errors),
            static (spc, d) => spc.ReportDiagnostic(d.ToDiagnostic()));
        context.RegisterSourceOutput(duplicates.SelectMany(static (d, _) => d.Errors),
            static (spc, d) => spc.ReportDiagnostic(d.ToDiagnostic()));

        var sources = specs
            .Combine(duplicates)
            .Where(static pair => !pair.Right.Contains(pair.Left.Name))
            .Select(static (pair, _) => pair.Left)
            .Combine(settings)
            .Select(static (pair, _) => (HintName: pair.Left.ClassName + ".g.cs", Source: ModelEmitter.Emit(pair.Left, pair.Right)))
            .WithTrackingName(TrackingNames.Emit);

        context.RegisterSourceOutput(sources, static (spc, s) => spc.AddSource(s.HintName, s.Source));
    }

    /// <summary>Models whose classes would collide: same class name in the same namespace (an unset one is the RootNamespace).</summary>
    private static DuplicateNames FindDuplicates(ImmutableArray<(string Name, string ClassKey, LocationInfo? Location)> names)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, classKey, _) in names)
        {
            counts[classKey] = counts.TryGetValue(classKey, out var n) ? n + 1 : 1;
        }

        var duplicated = new List<string>();
        var errors = new List<DiagnosticInfo>();
        foreach (var (name, classKey, location) in names)
        {
            if (counts[classKey] < 2) continue;
            if (!duplicated.Contains(name)) duplicated.Add(name);
            errors.Add(DiagnosticInfo.Create(GeneratorDiagnostics.DuplicateModelName, location, name));
        }
        return new DuplicateNames(EquatableArray.From(duplicated), EquatableArray.From(errors));
    }
}
