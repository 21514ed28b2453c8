namespace LoraMerge.Contracts;

/// <summary>
/// The model manifest (docs/architecture.md, "Model manifest") the describe step writes and the generator reads: its
/// version, field names and format names.
/// </summary>
internal static class ManifestSchema
{
    public const int FormatVersion = 1;

    /// <summary>The <c>AdditionalFiles</c> metadata that marks a manifest for the generator.</summary>
    public const string ItemMetadata = "LoraModelManifest";

    /// <summary>Manifests are <c>obj/.../lora/&lt;Model&gt;.lora-model.json</c>.</summary>
    public const string FileSuffix = ".lora-model.json";

    public const string FormatVersionField = "formatVersion";
    public const string ModelField = "model";
    public const string ArtifactField = "artifact";
    public const string EmbeddedField = "embedded";
    public const string FingerprintField = "fingerprint";
    public const string FormatsField = "formats";
    public const string ConfigField = "config";
    public const string TensorsField = "tensors";
    /// <summary>Optional: the generated class's namespace (absent: the project's RootNamespace).</summary>
    public const string NamespaceField = "namespace";
    /// <summary>Optional: the generated class's name (absent: <see cref="ModelNames.ClassName"/> of the model name).</summary>
    public const string ClassNameField = "className";
    /// <summary>Optional: <see cref="PublicAccess"/> (absent) or <see cref="InternalAccess"/>.</summary>
    public const string AccessField = "access";
    public const string TensorNameField = "name";
    public const string TensorDTypeField = "dtype";
    public const string TensorShapeField = "shape";
    public const string TensorFileField = "file";

    public const string PublicAccess = "public";
    public const string InternalAccess = "internal";

    public const string SafetensorsFormat = "safetensors";
    public const string GgufFormat = "gguf";
}
