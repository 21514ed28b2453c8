using System.IO.Compression;
using System.Xml.Linq;

namespace LoraMerge.EndToEnd.Tests;

/// <summary>What nuget.org and an IDE show for each package: licence, readme, project URL, tags, description.</summary>
[Collection(PackageCollection.Name)]
public sealed class PackageMetadataTests(PackageFixture package)
{
    [Theory]
    [InlineData("LoraMerge")]
    [InlineData("LoraMerge.Runtime")]
    public void The_package_has_a_licence_a_readme_a_project_url_tags_and_a_description(string id)
    {
        using var nupkg = ZipFile.OpenRead(Path.Combine(package.Feed, $"{id}.{PackageFixture.Version}.nupkg"));
        var nuspecEntry = nupkg.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XDocument nuspec;
        using (var stream = nuspecEntry.Open()) nuspec = XDocument.Load(stream);
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

        var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);
        Assert.StartsWith("https://", Value("projectUrl"));
        Assert.Contains("lora", Value("tags").Split(' '));
        Assert.False(string.IsNullOrWhiteSpace(Value("description")));
        Assert.Equal("README.md", Value("readme"));
        using var readme = new StreamReader(nupkg.GetEntry("README.md")!.Open());
        Assert.Equal(File.ReadAllText(Path.Combine(PackageFixture.RepoRoot, "README.md")), readme.ReadToEnd());
    }
}
