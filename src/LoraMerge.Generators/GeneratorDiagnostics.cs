using System;
using Microsoft.CodeAnalysis;

namespace LoraMerge.Generators;

/// <summary>Diagnostics for manifests the generator cannot use. Ids are stable; docs/generated-model.md lists them.</summary>
internal static class GeneratorDiagnostics
{
    private const string Category = "LoraMerge.Generator";

    public static readonly DiagnosticDescriptor InvalidJson = Error(
        "LORAGEN001", "Model manifest is not valid JSON", "Model manifest is not valid JSON: {0}");

    public static readonly DiagnosticDescriptor MissingOrInvalidField = Error(
        "LORAGEN002", "Model manifest field is missing or invalid", "Model manifest field '{0}' {1}");

    public static readonly DiagnosticDescriptor UnknownDType = Error(
        "LORAGEN003", "Unknown tensor dtype", "Tensor '{0}' has unknown dtype '{1}' (expected a safetensors dtype such as F32, F16 or BF16)");

    public static readonly DiagnosticDescriptor UnsupportedFormatVersion = Error(
        "LORAGEN004", "Unsupported model manifest formatVersion", "Model manifest formatVersion {0} is not supported by this generator (supported: {1})");

    public static readonly DiagnosticDescriptor DuplicateModelName = Error(
        "LORAGEN005", "Duplicate model name", "Model name '{0}' gives the same class name as another model manifest; no class is generated for it");

    public static readonly DiagnosticDescriptor InvalidModelName = Error(
        "LORAGEN006", "Invalid model name", "Model name '{0}' is not a valid model folder name (ASCII letters, digits, '_', '-' and '.', not starting with '.')");

    public static readonly DiagnosticDescriptor DuplicateTensorName = Error(
        "LORAGEN007", "Duplicate tensor name", "Tensor '{0}' is listed more than once in the model manifest");

    public static DiagnosticDescriptor ById(string id) => id switch
    {
        "LORAGEN001" => InvalidJson,
        "LORAGEN002" => MissingOrInvalidField,
        "LORAGEN003" => UnknownDType,
        "LORAGEN004" => UnsupportedFormatVersion,
        "LORAGEN005" => DuplicateModelName,
        "LORAGEN006" => InvalidModelName,
        "LORAGEN007" => DuplicateTensorName,
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, null),
    };

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
