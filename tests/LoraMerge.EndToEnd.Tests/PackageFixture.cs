using System.Reflection;

namespace LoraMerge.EndToEnd.Tests;

/// <summary>Packs the LoraMerge and LoraMerge.Runtime packages once for all end-to-end tests, into a fresh local folder feed.</summary>
public sealed class PackageFixture : IDisposable
{
    /// <summary>The version README's quick start names; consumers restore into their own package folders, so no stale copy is served.</summary>
    public const string Version = "0.1.0";

    public PackageFixture()
    {
        Feed = Directory.CreateTempSubdirectory("lora-e2e-feed-").FullName;
        // Build outputs of this run only (issue 18: a fixed folder let two runs side by side overwrite each other's).
        var artifacts = _artifacts = Directory.CreateTempSubdirectory("loramerge-e2e-artifacts-").FullName;
        foreach (var (project, id) in new[] { ("LoraMerge.Runtime", "LoraMerge.Runtime"), ("LoraMerge.Tasks", "LoraMerge") })
        {
            var path = Path.Combine(RepoRoot, "src", project, project + ".csproj");
            var pack = DotnetCli.Run(RepoRoot, "pack", path, "-c", "Release", "-o", Feed, "--artifacts-path", artifacts, $"-p:Version={Version}");
            if (pack.ExitCode != 0) throw new InvalidOperationException("dotnet pack failed: " + pack);
            var package = Path.Combine(Feed, $"{id}.{Version}.nupkg");
            if (!File.Exists(package)) throw new InvalidOperationException($"dotnet pack did not write {package}: {pack}");
        }
        PackagePath = Path.Combine(Feed, $"LoraMerge.{Version}.nupkg");
    }

    public static string RepoRoot { get; } = Metadata("RepoRoot");
    public static string FixturesDir { get; } = Metadata("FixturesDir");

    public string Feed { get; }
    public string PackagePath { get; }

    private readonly string _artifacts;

    public void Dispose()
    {
        foreach (var folder in new[] { Feed, _artifacts })
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Metadata(string key) =>
        typeof(PackageFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

/// <summary>One packing for every end-to-end test class: two class fixtures would pack into the same artifacts folder at once.</summary>
[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "package";
}
