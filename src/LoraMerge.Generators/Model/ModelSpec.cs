using System;

namespace LoraMerge.Generators.Model;

/// <summary>
/// Everything the emitter needs about one model, parsed from its manifest. Strings, numbers and equatable arrays only.
/// <paramref name="HasSafetensors"/>: the folder has safetensors weights, so <paramref name="Tensors"/> lists them and
/// the class loads them; <paramref name="HasGguf"/>: it has a <c>model.gguf</c>, so the class has <c>GgufPath</c>.
/// </summary>
internal sealed record ModelSpec(
    string Name,
    string Artifact,
    bool Embedded,
    string Fingerprint,
    bool HasSafetensors,
    bool HasGguf,
    EquatableArray<ConfigEntry> Config,
    EquatableArray<TensorSpec> Tensors)
{
    /// <summary>The item's <c>Namespace</c>; null: the project's RootNamespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>The item's <c>ClassName</c>; null: the model name's class name.</summary>
    public string? ClassNameOverride { get; init; }

    /// <summary>The item's <c>Access="internal"</c>.</summary>
    public bool IsInternal { get; init; }

    public string ClassName => ClassNameOverride ?? LoraMerge.Contracts.ModelNames.ClassName(Name);

    public string Access => IsInternal ? "internal" : "public";

    /// <summary>The namespace the class is emitted in.</summary>
    public string NamespaceIn(GlobalSettings settings) => Namespace ?? Naming.Identifiers.ToNamespace(settings.RootNamespace);
}

/// <summary>One tensor as compiled in: name, safetensors dtype name, shape and the file (relative to the artifact) holding it.</summary>
internal sealed record TensorSpec(string Name, string DType, EquatableArray<long> Shape, string File);

/// <summary>
/// One config.json value turned into a C# constant: <paramref name="CSharpType"/> is the element type
/// (<c>int</c>, <c>long</c>, <c>double</c>, <c>bool</c>, <c>string</c>); <paramref name="Literals"/> holds one C# literal for a
/// scalar, or one per element when <paramref name="IsArray"/>.
/// </summary>
internal sealed record ConfigEntry(string Key, string CSharpType, bool IsArray, EquatableArray<string> Literals);

/// <summary>The result of reading one manifest: the spec when usable, where its model name is, and any errors.</summary>
internal sealed record ParseResult(ModelSpec? Spec, LocationInfo? ModelNameLocation, EquatableArray<DiagnosticInfo> Errors);

/// <summary>The project-wide settings the generator reads.</summary>
internal sealed record GlobalSettings(string RootNamespace);

/// <summary>The model names declared by more than one manifest.</summary>
internal sealed record DuplicateNames(EquatableArray<string> Names, EquatableArray<DiagnosticInfo> Errors)
{
    public bool Contains(string name)
    {
        foreach (var candidate in Names)
        {
            if (string.Equals(candidate, name, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
