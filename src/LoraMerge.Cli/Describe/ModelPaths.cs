using LoraMerge.Contracts;

namespace LoraMerge.Cli.Describe;

/// <summary>Where one model's build files live under <c>obj/.../lora/</c>, and where it lands in bin/ and publish.</summary>
internal sealed record ModelPaths(string IntermediateDirectory, string ModelsDirectory, string Model)
{
    public string OutputDirectory => Path.Combine(IntermediateDirectory, "models", Model);
    public string MergeReport => Path.Combine(OutputDirectory, ArtifactLayout.MergeReportFileName);
    public string Manifest => Path.Combine(IntermediateDirectory, Model + ManifestSchema.FileSuffix);

    /// <summary>The <c>ModelMergeRequest</c>: rewritten only when it changes, so it is also the merge's input cache.</summary>
    public string MergeRequest => Path.Combine(IntermediateDirectory, Model + ".merge.json");
    public string Warnings => Path.Combine(IntermediateDirectory, Model + ".warnings");

    /// <summary><c>models/Math</c>: always with '/', as the manifest's <c>artifact</c> and the generated loader use it.</summary>
    public string RelativeDirectory => ArtifactLayout.ModelDirectory(ModelsDirectory, Model);

    /// <summary><c>LoraMerge/Math/</c>: the resource names of an embedded model's files start with it.</summary>
    public string ResourcePrefix => ArtifactLayout.ResourceName(Model, "");
}
