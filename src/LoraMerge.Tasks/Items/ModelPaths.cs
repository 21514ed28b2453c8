namespace LoraMerge.Tasks.Items;

/// <summary>Where one model's build files live under <c>obj/.../lora/</c>, and where it lands in bin/ and publish.</summary>
internal sealed record ModelPaths(string IntermediateDirectory, string ModelsDirectory, string Model)
{
    public string OutputDirectory => Path.Combine(IntermediateDirectory, "models", Model);
    public string MergeReport => Path.Combine(OutputDirectory, LoraMerge.Models.ModelFolderLayout.MergeReportFileName);
    public string Manifest => Path.Combine(IntermediateDirectory, Model + ".lora-model.json");
    public string MergeCache => Path.Combine(IntermediateDirectory, Model + ".merge.cache");
    public string DescribeStamp => Path.Combine(IntermediateDirectory, Model + ".describe.stamp");
    public string Warnings => Path.Combine(IntermediateDirectory, Model + ".warnings");

    /// <summary><c>models/Math</c>: always with '/', as the manifest's <c>artifact</c> and the generated loader use it.</summary>
    public string RelativeDirectory => ModelsDirectory.Replace('\\', '/').TrimEnd('/') + "/" + Model;
}
