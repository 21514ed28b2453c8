namespace LoraMerge.EndToEnd.Tests;

/// <summary>
/// Issue 14: a model declared in a class library reaches every project that references the library, directly or
/// transitively (bin, publish, <c>dotnet test</c>), as Content with <c>CopyToOutputDirectory</c> does; an embedded one
/// stays in the library's assembly. Projects: Lib (the adapters: Math in files, Emb embedded), Lib2 → Lib, App → Lib,
/// App2 → Lib2 → Lib, and an xunit project Tests → Lib. Only Lib references the LoraMerge package.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class ProjectReferenceTests(PackageFixture package)
{
    [Fact]
    public void Models_of_a_library_reach_referencing_apps_and_tests_in_bin_and_publish()
    {
        using var root = new ConsumerProject(package, withGlobalPackages: true);
        root.AddFile("Directory.Build.props", """
            <Project>
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <RestorePackagesPath>$(MSBuildThisFileDirectory).packages</RestorePackagesPath>
                <PublishDir>$(MSBuildThisFileDirectory)out/$(MSBuildProjectName)/</PublishDir>
              </PropertyGroup>
            </Project>
            """);
        root.AddFile("Lib/Lib.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <PackageReference Include="LoraMerge" Version="{PackageFixture.Version}" />
                <LoraAdapter Include="adapters/math" BaseModel="base" Model="Math" />
                <LoraAdapter Include="adapters/math" BaseModel="base" Model="Emb" Embed="true" />
              </ItemGroup>
            </Project>
            """);
        root.AddFile("Lib/Models.cs", """
            namespace Lib;
            public static class Models
            {
                public static string Describe()
                {
                    using var math = MathModel.Load(verifyHashes: true);
                    using var emb = EmbModel.Load(verifyHashes: true);
                    return $"math {math.Tensors.Count} emb {emb.Tensors.Count}";
                }
            }
            """);
        root.CopyFixture("merge/linear_bf16/base", "Lib/base");
        root.CopyFixture("merge/linear_bf16/adapters/a", "Lib/adapters/math");
        root.AddFile("Lib2/Lib2.csproj", """
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup><ProjectReference Include="../Lib/Lib.csproj" /></ItemGroup>
            </Project>
            """);
        root.AddFile("Lib2/Wrapper.cs", """
            namespace Lib2;
            public static class Wrapper { public static string Describe() => "via lib2 " + Lib.Models.Describe(); }
            """);
        foreach (var (app, reference, call) in new[] { ("App", "Lib", "Lib.Models.Describe()"), ("App2", "Lib2", "Lib2.Wrapper.Describe()") })
        {
            root.AddFile($"{app}/{app}.csproj", $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><OutputType>Exe</OutputType></PropertyGroup>
                  <ItemGroup><ProjectReference Include="../{reference}/{reference}.csproj" /></ItemGroup>
                </Project>
                """);
            root.AddFile($"{app}/Program.cs", $"""Console.WriteLine("{app.ToLowerInvariant()} " + {call});""");
        }
        root.AddFile("Tests/Tests.csproj", """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><IsPackable>false</IsPackable></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
                <PackageReference Include="xunit" Version="2.9.3" />
                <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" PrivateAssets="all" />
                <ProjectReference Include="../Lib/Lib.csproj" />
              </ItemGroup>
            </Project>
            """);
        root.AddFile("Tests/ModelTests.cs", """
            using Xunit;
            public class ModelTests
            {
                [Fact]
                public void The_library_loads_its_model_beside_the_tests()
                {
                    Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "models", "Math", "lora-merge.json")));
                    Assert.Equal("math 21 emb 21", Lib.Models.Describe());
                }
            }
            """);
        // Every project in the solution: one left out is built in its default configuration (Debug).
        root.AddFile("All.slnx", """
            <Solution>
              <Project Path="Lib/Lib.csproj" />
              <Project Path="Lib2/Lib2.csproj" />
              <Project Path="App/App.csproj" />
              <Project Path="App2/App2.csproj" />
            </Solution>
            """);

        var publish = root.Dotnet("publish", "All.slnx", "-c", "Release");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains("LoraMerge: Math <- 1 adapter, ", publish.Output);

        var merged = root.PathOf("Lib", "obj", "Release", "net10.0", "lora", "models", "Math");
        string[] expected = Directory.EnumerateFiles(merged).Select(f => "Math/" + Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Contains("Math/lora-merge.json", expected);
        Assert.Contains("Math/model.safetensors", expected);
        // The library's own bin: the files once, at models/Math/ (its own copy), nothing of the embedded model.
        var libBin = root.PathOf("Lib", "bin", "Release", "net10.0");
        AssertModels(libBin, expected, merged);
        Assert.Single(Directory.GetFiles(libBin, "model.safetensors", SearchOption.AllDirectories));
        // Direct (App → Lib) and transitive (App2 → Lib2 → Lib) references, bin and publish folders.
        foreach (var folder in new[] { "App/bin/Release/net10.0", "out/App", "Lib2/bin/Release/net10.0", "App2/bin/Release/net10.0", "out/App2" })
            AssertModels(root.PathOf(folder), expected, merged);

        foreach (var (dll, line) in new[]
                 {
                     ("out/App/App.dll", "app math 21 emb 21"), ("out/App2/App2.dll", "app2 via lib2 math 21 emb 21"),
                     ("App2/bin/Release/net10.0/App2.dll", "app2 via lib2 math 21 emb 21"),
                 })
        {
            var run = root.Dotnet(root.PathOf(dll));
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains(line, run.Output);
        }

        // An xunit project referencing the library: the model is beside the tests when dotnet test runs them.
        var test = root.Dotnet("test", root.PathOf("Tests", "Tests.csproj"), "-c", "Release");
        Assert.True(test.ExitCode == 0, test.ToString());
        Assert.Contains("Passed!", test.Output);
        AssertModels(root.PathOf("Tests", "bin", "Release", "net10.0"), expected, merged);
    }

    /// <summary><paramref name="folder"/>/models holds exactly the merged Math files (not Emb), the same bytes as the merge's.</summary>
    private static void AssertModels(string folder, string[] expected, string merged)
    {
        var models = Path.Combine(folder, "models");
        Assert.True(Directory.Exists(models), $"{folder} has no models/ folder");
        var shipped = Directory.GetFiles(models, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(models, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, shipped);
        Assert.Equal(File.ReadAllBytes(Path.Combine(merged, "model.safetensors")), File.ReadAllBytes(Path.Combine(models, "Math", "model.safetensors")));
    }
}
