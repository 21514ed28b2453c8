namespace LoraMerge.EndToEnd.Tests;

/// <summary>
/// A throwaway app that consumes the packed package from the local feed, with its own package folder so a
/// same-version package is never served stale from ~/.nuget/packages.
/// </summary>
internal sealed class ConsumerProject : IDisposable
{
    /// <param name="targetFramework">The app's framework; net8.0 also restores its targeting pack from the global packages folder.</param>
    public ConsumerProject(PackageFixture package, string items, string program, string targetFramework = "net10.0")
        : this(package, withGlobalPackages: targetFramework != "net10.0")
    {
        File.WriteAllText(Path.Combine(Directory, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>{targetFramework}</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <RootNamespace>App</RootNamespace>
                <RestorePackagesPath>$(MSBuildThisFileDirectory).packages</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LoraMerge" Version="{PackageFixture.Version}" />
              </ItemGroup>
              <ItemGroup>
            {items}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(Directory, "Program.cs"), program);
    }

    /// <summary>
    /// An empty folder with only the nuget.config, for several projects in subfolders (<see cref="AddFile"/>).
    /// <paramref name="withGlobalPackages"/>: packages other than LoraMerge's (xunit, a targeting pack) restore from the
    /// global packages folder.
    /// </summary>
    public ConsumerProject(PackageFixture package, bool withGlobalPackages)
    {
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var extraSource = withGlobalPackages ? $"""<add key="global" value="{globalPackages}" />""" : "";
        // LoraMerge's packages come from the fresh feed only, never from a same-version copy in the global folder.
        var sourceMapping = withGlobalPackages ? """
              <packageSourceMapping>
                <packageSource key="local"><package pattern="LoraMerge*" /></packageSource>
                <packageSource key="global"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            """ : "";
        Directory = System.IO.Directory.CreateTempSubdirectory("lora-e2e-app-").FullName;
        File.WriteAllText(Path.Combine(Directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{package.Feed}" />
                {extraSource}
              </packageSources>
            {sourceMapping}
            </configuration>
            """);
    }

    /// <summary>Writes a file (a project, a source file) at a path relative to the folder, creating its folder.</summary>
    public void AddFile(string relative, string text)
    {
        var path = PathOf(relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public string Directory { get; }

    public string PathOf(params string[] parts) => Path.Combine([Directory, .. parts]);

    /// <summary>Copies the root files of a fixture folder (e.g. <c>merge/linear_bf16/base</c>) into the project.</summary>
    public string CopyFixture(string fixture, string relative)
    {
        var target = PathOf(relative);
        System.IO.Directory.CreateDirectory(target);
        foreach (var file in System.IO.Directory.EnumerateFiles(Path.Combine(PackageFixture.FixturesDir, fixture)))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    public DotnetCli.Result Dotnet(params string[] arguments) => DotnetCli.Run(Directory, arguments);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
