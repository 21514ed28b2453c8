using System.Reflection;

namespace LoraMerge.Sample.Tests;

/// <summary>Where the committed sample model, adapter and reference file live.</summary>
internal static class SamplePaths
{
    public static string RepoRoot { get; } = typeof(SamplePaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    public static string SampleDir => Path.Combine(RepoRoot, "samples", "AppWithAdapters");

    public static string ModelDir => Path.Combine(SampleDir, "models", "tiny-llama");

    public static string AdapterDir => Path.Combine(SampleDir, "adapters", "bofh");

    public static string ReferenceFile => Path.Combine(SampleDir, "training", "reference_logits.json");
}
