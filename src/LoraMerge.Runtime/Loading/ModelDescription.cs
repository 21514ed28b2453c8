namespace LoraMerge.Runtime;

/// <summary>What a generated model class was compiled against; <see cref="ModelWeights"/> checks the weights it maps against it.</summary>
public sealed class ModelDescription
{
    /// <summary>The model folder's metadata file, holding <c>fingerprint</c> and the <c>outputs</c> hashes.</summary>
    public const string MetadataFileName = LoraMerge.Contracts.ArtifactLayout.MergeReportFileName;

    public ModelDescription(string name, string artifact, bool embedded, string fingerprint, IReadOnlyList<TensorDescription> tensors)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentNullException.ThrowIfNull(tensors);
        Name = name;
        Artifact = artifact;
        Embedded = embedded;
        Fingerprint = fingerprint;
        Tensors = tensors;
        var files = new List<string>();
        foreach (var tensor in tensors)
        {
            if (!files.Contains(tensor.File, StringComparer.Ordinal)) files.Add(tensor.File);
        }
        Files = files;
    }

    /// <summary>The model's name, e.g. <c>Math</c> for <c>MathModel</c>.</summary>
    public string Name { get; }

    /// <summary>The model folder relative to <see cref="AppContext.BaseDirectory"/>, e.g. <c>models/Math</c>.</summary>
    public string Artifact { get; }

    /// <summary>Whether the files are embedded resources named <c>LoraMerge/&lt;Name&gt;/&lt;file&gt;</c>.</summary>
    public bool Embedded { get; }

    /// <summary>Must equal the <c>fingerprint</c> of the folder's <see cref="MetadataFileName"/>; empty skips the check.</summary>
    public string Fingerprint { get; }

    /// <summary>Every tensor, in file order.</summary>
    public IReadOnlyList<TensorDescription> Tensors { get; }

    /// <summary>The distinct weight files, in order of first use.</summary>
    public IReadOnlyList<string> Files { get; }

    public string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, Artifact);

    /// <summary>The manifest resource name of a file of this model: <c>LoraMerge/Math/model.safetensors</c>.</summary>
    public string ResourceName(string relativePath) => ResourceNameOf(Name, relativePath);

    /// <summary>The manifest resource name of a file of model <paramref name="modelName"/>: <c>LoraMerge/&lt;model&gt;/&lt;file&gt;</c>.</summary>
    public static string ResourceNameOf(string modelName, string relativePath) =>
        LoraMerge.Contracts.ArtifactLayout.ResourceName(modelName, relativePath);
}
