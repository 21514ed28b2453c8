using System.Reflection;

namespace LoraMerge.Core.Tests.TestSupport;

/// <summary>Paths of the committed fixtures (tests/fixtures/) and of the repository, from the test assembly's metadata.</summary>
public static class Fixtures
{
    public static string Dir { get; } = Metadata("FixturesDir");

    public static string RepoRoot { get; } = Metadata("RepoRoot");

    /// <summary>A path under tests/fixtures/, e.g. <c>Fixtures.Path("safetensors", "torch_basic.safetensors")</c>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Dir, .. parts]);

    private static string Metadata(string key) =>
        typeof(Fixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is empty.");
}
