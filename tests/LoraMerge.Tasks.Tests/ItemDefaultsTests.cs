extern alias tasks;
using System.Diagnostics;
using System.Text.Json;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

/// <summary>
/// build/LoraMerge.props and .targets as MSBuild evaluates them (<c>dotnet msbuild -getItem</c>, no build): the
/// ItemDefinitionGroup gives every LoraAdapter the project-wide defaults, which item metadata overrides.
/// </summary>
public sealed class ItemDefaultsTests
{
    [Fact]
    public void Format_and_GgufType_default_to_safetensors_and_empty()
    {
        var items = Evaluate(properties: "");

        Assert.Equal(("safetensors", ""), items["plain"]);
        Assert.Equal(("safetensors;gguf", "q8_0"), items["both"]);
    }

    [Fact]
    public void LoraMergeFormat_and_LoraMergeGgufType_set_the_defaults_of_every_item()
    {
        var items = Evaluate(properties: "<LoraMergeFormat>gguf</LoraMergeFormat><LoraMergeGgufType>f16</LoraMergeGgufType>");

        Assert.Equal(("gguf", "f16"), items["plain"]);
        Assert.Equal(("safetensors;gguf", "q8_0"), items["both"]);
    }

    private static Dictionary<string, (string Format, string GgufType)> Evaluate(string properties)
    {
        var directory = Directory.CreateTempSubdirectory("lora-defaults-").FullName;
        try
        {
            var build = Path.Combine(TestProject.RepoRoot, "build");
            // Properties after the props import, as in an SDK project's body.
            File.WriteAllText(Path.Combine(directory, "App.proj"), $"""
                <Project>
                  <Import Project="{build}/LoraMerge.props" />
                  <PropertyGroup>{properties}</PropertyGroup>
                  <ItemGroup>
                    <LoraAdapter Include="plain" />
                    <LoraAdapter Include="both" Format="safetensors;gguf" GgufType="q8_0" />
                  </ItemGroup>
                  <Import Project="{build}/LoraMerge.targets" />
                </Project>
                """);
            using var json = LoraMerge.Tests.Tasks.MSBuildCli.GetItems(directory, "App.proj", "-getItem:LoraAdapter");
            return json.RootElement.GetProperty("Items").GetProperty("LoraAdapter").EnumerateArray().ToDictionary(
                item => item.GetProperty("Identity").GetString()!,
                item => (item.GetProperty("Format").GetString()!, item.GetProperty("GgufType").GetString()!));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
