namespace LoraMerge.Contracts;

/// <summary>
/// Where a merged model lands and what its files are called, for the engine, the build (tasks and targets), the
/// generated loader and the CLI.
/// </summary>
internal static class ArtifactLayout
{
    /// <summary><c>$(LoraModelsDirectory)</c>'s default: the folder under bin/ and publish holding <c>&lt;Model&gt;/</c>.</summary>
    public const string DefaultModelsDirectory = "models";

    /// <summary>The merge report beside the merged files (inputs, options, fingerprint, output hashes).</summary>
    public const string MergeReportFileName = "lora-merge.json";

    /// <summary>The GGUF file of a merged folder, beside <see cref="MergeReportFileName"/>.</summary>
    public const string GgufFileName = "model.gguf";

    /// <summary>Manifest resources of an embedded model start with this: <c>LoraMerge/&lt;Model&gt;/&lt;file&gt;</c>.</summary>
    public const string ResourcePrefix = "LoraMerge/";

    /// <summary><c>models/Math</c>: always with '/', as the manifest's <c>artifact</c> and the generated loader use it.</summary>
    public static string ModelDirectory(string modelsDirectory, string model) =>
        modelsDirectory.Replace('\\', '/').TrimEnd('/') + "/" + model;

    /// <summary>The resource name of an embedded model's file: <c>LoraMerge/Math/model.safetensors</c>.</summary>
    public static string ResourceName(string model, string relativePath) =>
        ResourcePrefix + model + "/" + relativePath.Replace('\\', '/');
}
