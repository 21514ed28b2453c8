using System.Reflection;

namespace LoraMerge.EndToEnd.Tests;

/// <summary>Packs the LoraMerge package once for all end-to-end tests, into a fresh local folder feed.</summary>
public sealed class PackageFixture : IDisposable
{
    public const string Version = "0.1.0-e2e";

    public PackageFixture()
    {
        Feed = Directory.CreateTempSubdirectory("lora-e2e-feed-").FullName;
        // A stable artifacts folder keeps repeated runs incremental; the feed itself is always fresh.
        var artifacts = Path.Combine(Path.GetTempPath(), "loramerge-e2e-artifacts");
        var project = Path.Combine(RepoRoot, "src", "LoraMerge.Tasks", "LoraMerge.Tasks.csproj");
        var pack = DotnetCli.Run(RepoRoot, "pack", project, "-c", "Release", "-o", Feed, "--artifacts-path", artifacts, $"-p:Version={Version}");
        if (pack.ExitCode != 0) throw new InvalidOperationException("dotnet pack failed: " + pack);
        PackagePath = Path.Combine(Feed, $"LoraMerge.{Version}.nupkg");
        if (!File.Exists(PackagePath)) throw new InvalidOperationException($"dotnet pack did not write {PackagePath}: {pack}");
    }

    public static string RepoRoot { get; } = Metadata("RepoRoot");
    public static string FixturesDir { get; } = Metadata("FixturesDir");

    public string Feed { get; }
    public string PackagePath { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Feed, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Metadata(string key) =>
        typeof(PackageFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
