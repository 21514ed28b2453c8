using System.Diagnostics;
using System.Text.Json;

namespace LoraMerge.Tasks.Tests;

/// <summary>
/// Visual Studio's fast up-to-date check (issue 14): the UpToDateCheckInput and UpToDateCheckBuilt items that
/// build/LoraMerge.targets adds when VS's design-time targets CollectUpToDateCheckInputDesignTime and
/// CollectUpToDateCheckBuiltDesignTime run (<c>dotnet msbuild -t:... -getItem:...</c>; the test project defines the
/// two targets as VS's Microsoft.Managed.DesignTime.targets do, since the plain SDK has neither).
/// </summary>
public sealed class UpToDateCheckItemsTests
{
    [Fact]
    public void Inputs_are_the_root_files_of_adapter_and_base_folders_and_nothing_of_the_project_folder()
    {
        using var project = new DesignTimeProject("""
                <LoraAdapter Include="adapters/a" BaseModel="base" Model="Math" />
                <LoraAdapter Include="adapters/nobase" />
                <LoraAdapter Include="adapters/raw" Merge="false" />
            """);
        foreach (var file in new[]
                 {
                     "adapters/a/adapter_config.json", "adapters/a/adapter_model.safetensors", "adapters/a/.gitattributes",
                     "base/config.json", "base/model.safetensors", "base/sub/nested.json",
                     "adapters/nobase/adapter_config.json", "adapters/raw/adapter_config.json", "Program.cs",
                 })
            project.Write(file, "{}");

        var items = project.Run("CollectUpToDateCheckInputDesignTime", "UpToDateCheckInput");

        // Dot files and subfolders are not merge inputs (src/Contracts/Build/InputFiles.cs); a Merge="false" adapter is
        // a copy (an UpToDateCheckBuilt with Original); an item without BaseModel adds no folder, so no project file.
        Assert.Equal(
            ["adapters/a/adapter_config.json", "adapters/a/adapter_model.safetensors", "adapters/nobase/adapter_config.json",
             "base/config.json", "base/model.safetensors"],
            items.Select(i => project.Relative(i.FullPath)).Order(StringComparer.Ordinal).ToArray());
        Assert.All(items, i => Assert.Equal("LoraMerge", i.Set));
    }

    [Fact]
    public void Without_LoraMergeOnBuild_only_embedded_models_have_inputs()
    {
        using var project = new DesignTimeProject("""
                <LoraAdapter Include="adapters/a" BaseModel="base" Model="Math" />
                <LoraAdapter Include="adapters/e" BaseModel="base" Model="Emb" Embed="true" />
            """);
        foreach (var file in new[] { "adapters/a/adapter_config.json", "adapters/e/adapter_config.json", "base/config.json" })
            project.Write(file, "{}");

        var items = project.Run("CollectUpToDateCheckInputDesignTime", "UpToDateCheckInput", "-p:LoraMergeOnBuild=false");

        // A build merges only the embedded model (the other merges on publish): its folders alone are inputs.
        Assert.Equal(["adapters/e/adapter_config.json", "base/config.json"],
            items.Select(i => project.Relative(i.FullPath)).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Built_items_are_each_merged_models_lora_merge_json_and_the_copies_of_unmerged_adapters()
    {
        using var project = new DesignTimeProject("""
                <LoraAdapter Include="adapters/math" BaseModel="base" Model="Math" />
                <LoraAdapter Include="adapters/math" BaseModel="base" Model="Emb" Embed="true" />
                <LoraAdapter Include="adapters/math" Model="raw" Merge="false" />
            """);
        project.CopyFixture("merge/linear_bf16/base", "base");
        project.CopyFixture("merge/linear_bf16/adapters/a", "adapters/math");

        var built = project.Run("CollectUpToDateCheckBuiltDesignTime", "UpToDateCheckBuilt");

        Assert.Equal(
            [
                ("bin/models/Math/lora-merge.json", "LoraMerge", ""),
                ("bin/models/raw/adapter_config.json", "", "adapters/math/adapter_config.json"),
                ("bin/models/raw/adapter_model.safetensors", "", "adapters/math/adapter_model.safetensors"),
                ("obj/lora/models/Emb/lora-merge.json", "LoraMerge", ""),
                ("obj/lora/models/Math/lora-merge.json", "LoraMerge", ""),
            ],
            built.Select(i => (project.Relative(i.FullPath), i.Set, i.Original.Length == 0 ? "" : project.Relative(i.Original)))
                .Order().ToArray());
    }

    private sealed record Item(string FullPath, string Set, string Original);

    /// <summary>A project importing build/LoraMerge.props and .targets, with VS's two design-time targets and the locally built task and tool.</summary>
    private sealed class DesignTimeProject : IDisposable
    {
        public DesignTimeProject(string items)
        {
            Directory = System.IO.Directory.CreateTempSubdirectory("lora-utd-").FullName;
            var build = Path.Combine(TestProject.RepoRoot, "build");
            File.WriteAllText(Path.Combine(Directory, "App.proj"), $"""
                <Project>
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <TargetFrameworkIdentifier>.NETCoreApp</TargetFrameworkIdentifier>
                    <IntermediateOutputPath>obj/</IntermediateOutputPath>
                    <OutDir>bin/</OutDir>
                    <LoraTasksAssembly>{Path.Combine(AppContext.BaseDirectory, "LoraMerge.Tasks.dll")}</LoraTasksAssembly>
                    <LoraToolAssembly>{TestProject.ToolAssembly}</LoraToolAssembly>
                  </PropertyGroup>
                  <Import Project="{build}/LoraMerge.props" />
                  <ItemGroup>
                {items}
                  </ItemGroup>
                  <Import Project="{build}/LoraMerge.targets" />
                  <!-- As Visual Studio's Microsoft.Managed.DesignTime.targets define them. -->
                  <Target Name="CollectUpToDateCheckInputDesignTime" Returns="@(UpToDateCheckInput)" />
                  <Target Name="CollectUpToDateCheckBuiltDesignTime" Returns="@(UpToDateCheckBuilt)" />
                </Project>
                """);
        }

        public string Directory { get; }

        public void Write(string relative, string text)
        {
            var path = Path.Combine(Directory, relative);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }

        public void CopyFixture(string fixture, string relative)
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, relative));
            foreach (var file in System.IO.Directory.EnumerateFiles(Path.Combine(TestProject.FixturesDir, fixture)))
                File.Copy(file, Path.Combine(Directory, relative, Path.GetFileName(file)));
        }

        public string Relative(string path) => Path.GetRelativePath(Directory, path).Replace('\\', '/');

        /// <summary>Runs <paramref name="target"/> and returns the <paramref name="itemType"/> items after it.</summary>
        public Item[] Run(string target, string itemType, params string[] arguments)
        {
            using var json = LoraMerge.Tests.Tasks.MSBuildCli.GetItems(Directory, "App.proj", [$"-t:{target}", $"-getItem:{itemType}", .. arguments]);
            var items = json.RootElement.GetProperty("Items");
            if (!items.TryGetProperty(itemType, out var list)) return [];
            return list.EnumerateArray().Select(item => new Item(
                item.GetProperty("FullPath").GetString()!,
                item.TryGetProperty("Set", out var set) ? set.GetString()! : "",
                item.TryGetProperty("Original", out var original) && original.GetString()!.Length > 0
                    ? Path.GetFullPath(original.GetString()!, Directory) : "")).ToArray();
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
