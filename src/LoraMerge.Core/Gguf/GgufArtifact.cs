namespace LoraMerge.Gguf;

/// <summary>Where a merge puts its GGUF: the one owner of that name for the engine, the build and the generated code.</summary>
public static class GgufArtifact
{
    /// <summary>The GGUF file in a merged model folder, beside <c>lora-merge.json</c>.</summary>
    public const string FileName = LoraMerge.Contracts.ArtifactLayout.GgufFileName;
}
