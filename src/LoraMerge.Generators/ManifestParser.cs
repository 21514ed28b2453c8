using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using LoraMerge.Contracts;
using LoraMerge.Generators.Json;
using LoraMerge.Generators.Model;
using LoraMerge.Generators.Naming;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace LoraMerge.Generators;

/// <summary>Reads one model manifest (see docs/architecture.md, "Model manifest") into a <see cref="ModelSpec"/>.</summary>
internal static class ManifestParser
{
    public const string ManifestMetadata = "build_metadata.AdditionalFiles." + LoraMerge.Contracts.ManifestSchema.ItemMetadata;
    public const int SupportedFormatVersion = LoraMerge.Contracts.ManifestSchema.FormatVersion;

    private static readonly HashSet<string> KnownDTypes = new(LoraMerge.Contracts.DTypeNames.All, StringComparer.Ordinal);

    public static bool IsManifest(AnalyzerConfigOptions options) =>
        options.TryGetValue(ManifestMetadata, out var value) &&
        string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    public static ParseResult Parse(string path, SourceText? text, CancellationToken cancellationToken)
    {
        var errors = new List<DiagnosticInfo>();
        if (text is null)
        {
            errors.Add(DiagnosticInfo.Create(GeneratorDiagnostics.InvalidJson, null, $"the file '{path}' could not be read"));
            return new ParseResult(null, null, EquatableArray.From(errors));
        }

        JsonValue root;
        try
        {
            root = JsonReader.Parse(text.ToString());
        }
        catch (JsonReaderException e)
        {
            var start = Math.Min(e.Position, text.Length);
            errors.Add(DiagnosticInfo.Create(GeneratorDiagnostics.InvalidJson,
                LocationInfo.From(path, text, start, start < text.Length ? 1 : 0), e.Message));
            return new ParseResult(null, null, EquatableArray.From(errors));
        }
        cancellationToken.ThrowIfCancellationRequested();

        var context = new Context(path, text, errors);
        if (root.Kind != JsonKind.Object)
        {
            context.Field("(root)", "must be a JSON object", root);
            return new ParseResult(null, null, EquatableArray.From(errors));
        }

        var version = context.Required(root, ManifestSchema.FormatVersionField, JsonKind.Number, "must be an integer");
        if (version is not null && version.Text != SupportedFormatVersion.ToString(CultureInfo.InvariantCulture))
        {
            errors.Add(DiagnosticInfo.Create(GeneratorDiagnostics.UnsupportedFormatVersion, context.At(version),
                version.Text ?? "", SupportedFormatVersion.ToString(CultureInfo.InvariantCulture)));
            return new ParseResult(null, null, EquatableArray.From(errors));
        }

        LocationInfo? nameLocation = null;
        var name = context.Required(root, ManifestSchema.ModelField, JsonKind.String, "must be a string");
        if (name is not null)
        {
            nameLocation = context.At(name);
            if (!LoraMerge.Contracts.ModelNames.IsValid(name.Text!))
            {
                errors.Add(DiagnosticInfo.Create(GeneratorDiagnostics.InvalidModelName, nameLocation, name.Text!));
            }
        }
        var artifact = context.Required(root, ManifestSchema.ArtifactField, JsonKind.String, "must be a string");
        var fingerprint = context.Required(root, ManifestSchema.FingerprintField, JsonKind.String, "must be a string");
        var embedded = false;
        var embeddedProperty = root.Find(ManifestSchema.EmbeddedField);
        if (embeddedProperty is not null)
        {
            if (embeddedProperty.Value.Kind is JsonKind.True or JsonKind.False)
            {
                embedded = embeddedProperty.Value.Kind == JsonKind.True;
            }
            else
            {
                context.Field(ManifestSchema.EmbeddedField, "must be true or false", embeddedProperty.Value);
            }
        }

        var (hasSafetensors, hasGguf) = ReadFormats(context, root);
        var classNamespace = OptionalString(context, root, ManifestSchema.NamespaceField,
            LoraMerge.Contracts.ModelNames.IsValidNamespace, "must be " + LoraMerge.Contracts.ModelNames.NamespaceRule);
        var className = OptionalString(context, root, ManifestSchema.ClassNameField,
            LoraMerge.Contracts.ModelNames.IsValidClassName, "must be " + LoraMerge.Contracts.ModelNames.ClassNameRule);
        var access = OptionalString(context, root, ManifestSchema.AccessField,
            static a => a is ManifestSchema.PublicAccess or ManifestSchema.InternalAccess,
            $"must be \"{ManifestSchema.PublicAccess}\" or \"{ManifestSchema.InternalAccess}\"");

        var config = new List<ConfigEntry>();
        var configProperty = root.Find(ManifestSchema.ConfigField);
        if (configProperty is not null)
        {
            if (configProperty.Value.Kind == JsonKind.Object)
            {
                foreach (var property in configProperty.Value.Properties)
                {
                    var entry = ConfigValues.ToEntry(property.Name, property.Value);
                    if (entry is not null) config.Add(entry);
                }
            }
            else
            {
                context.Field(ManifestSchema.ConfigField, "must be an object", configProperty.Value);
            }
        }

        var tensors = new List<TensorSpec>();
        JsonValue? tensorsValue = null;
        if (hasSafetensors)
        {
            tensorsValue = context.Required(root, ManifestSchema.TensorsField, JsonKind.Array, "must be an array");
        }
        else if (root.Find(ManifestSchema.TensorsField) is { } stray)
        {
            context.Field(ManifestSchema.TensorsField, "must be absent when \"formats\" has no \"safetensors\" (the model has no safetensors files)", stray.Value);
        }
        if (tensorsValue is not null)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < tensorsValue.Items.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var tensor = ReadTensor(context, tensorsValue.Items[i], i);
                if (tensor is null) continue;
                if (!seen.Add(tensor.Name))
                {
                    errors.Add(DiagnosticInfo.Create(GeneratorDiagnostics.DuplicateTensorName,
                        context.At(tensorsValue.Items[i].Find(ManifestSchema.TensorNameField)!.Value), tensor.Name));
                    continue;
                }
                tensors.Add(tensor);
            }
        }

        if (errors.Count > 0) return new ParseResult(null, nameLocation, EquatableArray.From(errors));
        var spec = new ModelSpec(name!.Text!, artifact!.Text!, embedded, fingerprint!.Text!, hasSafetensors, hasGguf,
            EquatableArray.From(config), EquatableArray.From(tensors))
        {
            Namespace = classNamespace,
            ClassNameOverride = className,
            IsInternal = access == ManifestSchema.InternalAccess,
        };
        return new ParseResult(spec, nameLocation, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>An optional string member: its value when absent (null) or valid; otherwise reports it and returns null.</summary>
    private static string? OptionalString(Context context, JsonValue root, string member, Func<string, bool> isValid, string problem)
    {
        var property = root.Find(member);
        if (property is null) return null;
        if (property.Value.Kind == JsonKind.String && isValid(property.Value.Text!)) return property.Value.Text;
        context.Field(member, problem, property.Value);
        return null;
    }

    /// <summary>The optional <c>formats</c> array: <c>"safetensors"</c> and/or <c>"gguf"</c>; absent means safetensors only.</summary>
    private static (bool Safetensors, bool Gguf) ReadFormats(Context context, JsonValue root)
    {
        const string problem = "must be a non-empty array of \"safetensors\" and \"gguf\"";
        var property = root.Find(ManifestSchema.FormatsField);
        if (property is null) return (true, false);
        var value = property.Value;
        if (value.Kind != JsonKind.Array || value.Items.Count == 0)
        {
            context.Field(ManifestSchema.FormatsField, problem, value);
            return (true, false);
        }
        var safetensors = false;
        var gguf = false;
        foreach (var item in value.Items)
        {
            if (item.Kind == JsonKind.String && item.Text == ManifestSchema.SafetensorsFormat) safetensors = true;
            else if (item.Kind == JsonKind.String && item.Text == ManifestSchema.GgufFormat) gguf = true;
            else
            {
                context.Field(ManifestSchema.FormatsField, problem, item);
                return (true, false);
            }
        }
        return (safetensors, gguf);
    }

    private static TensorSpec? ReadTensor(Context context, JsonValue value, int index)
    {
        var label = $"tensors[{index}]";
        if (value.Kind != JsonKind.Object)
        {
            context.Field(label, "must be an object", value);
            return null;
        }
        var name = context.Required(value, ManifestSchema.TensorNameField, JsonKind.String, "must be a string", label);
        var dtype = context.Required(value, ManifestSchema.TensorDTypeField, JsonKind.String, "must be a string", label);
        var shape = context.Required(value, ManifestSchema.TensorShapeField, JsonKind.Array, "must be an array of non-negative integers", label);
        var file = context.Required(value, ManifestSchema.TensorFileField, JsonKind.String, "must be a non-empty relative path", label);
        if (name is null || dtype is null || shape is null || file is null) return null;

        var ok = true;
        if (!KnownDTypes.Contains(dtype.Text!))
        {
            context.Errors.Add(DiagnosticInfo.Create(GeneratorDiagnostics.UnknownDType, context.At(dtype), name.Text!, dtype.Text!));
            ok = false;
        }
        if (file.Text!.Length == 0)
        {
            context.Field(label + ".file", "must be a non-empty relative path", file);
            ok = false;
        }
        var dims = new long[shape.Items.Count];
        for (var d = 0; d < dims.Length; d++)
        {
            var dim = shape.Items[d];
            if (dim.Kind != JsonKind.Number ||
                !long.TryParse(dim.Text, NumberStyles.None, CultureInfo.InvariantCulture, out dims[d]))
            {
                context.Field(label + ".shape", "must be an array of non-negative integers", dim);
                ok = false;
                break;
            }
        }
        return ok ? new TensorSpec(name.Text!, dtype.Text!, new EquatableArray<long>(dims), file.Text!) : null;
    }

    private sealed class Context
    {
        private readonly string _path;
        private readonly SourceText _text;

        public Context(string path, SourceText text, List<DiagnosticInfo> errors)
        {
            _path = path;
            _text = text;
            Errors = errors;
        }

        public List<DiagnosticInfo> Errors { get; }

        public LocationInfo At(JsonValue value) => LocationInfo.From(_path, _text, value.Start, value.Length);

        public void Field(string field, string problem, JsonValue at) =>
            Errors.Add(DiagnosticInfo.Create(GeneratorDiagnostics.MissingOrInvalidField, At(at), field, problem));

        /// <summary>The member's value when present with the right kind; otherwise reports and returns null.</summary>
        public JsonValue? Required(JsonValue owner, string member, JsonKind kind, string problem, string? ownerLabel = null)
        {
            var field = ownerLabel is null ? member : ownerLabel + "." + member;
            var property = owner.Find(member);
            if (property is null)
            {
                // Point at the opening brace of the object that lacks the member.
                Errors.Add(DiagnosticInfo.Create(GeneratorDiagnostics.MissingOrInvalidField,
                    LocationInfo.From(_path, _text, owner.Start, 1), field, "is missing"));
                return null;
            }
            if (property.Value.Kind != kind)
            {
                Field(field, problem, property.Value);
                return null;
            }
            return property.Value;
        }
    }
}
