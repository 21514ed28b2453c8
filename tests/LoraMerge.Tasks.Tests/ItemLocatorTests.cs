extern alias tasks;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

public sealed class ItemLocatorTests
{
    [Fact]
    public void Finds_each_part_of_a_multi_value_include_and_ignores_slash_differences()
    {
        using var project = TestProject.Create(
            "<None Include=\"adapters/a\" />",
            "<LoraAdapter Include=\"adapters/a; adapters\\b\" />",
            "<LoraAdapter",
            "    Include=\"adapters/c/\" />");
        var locator = new ItemLocator(project.ProjectFile);

        Assert.Equal(4, locator.Locate(project.ItemOfRawLine("adapters/a")).Line);
        Assert.Equal(4, locator.Locate(project.ItemOfRawLine("adapters/b")).Line);
        Assert.Equal(5, locator.Locate(project.ItemOfRawLine("adapters/c")).Line);
    }

    [Fact]
    public void Unmatched_items_get_the_defining_project_without_a_line()
    {
        using var project = TestProject.Create("<LoraAdapter Include=\"$(Adapters)\" />");
        var location = new ItemLocator("other.csproj").Locate(project.ItemOfRawLine("adapters/x"));

        Assert.Equal(project.ProjectFile, location.File);
        Assert.Equal(0, location.Line);
    }

    [Fact]
    public void Items_without_a_defining_project_fall_back_to_the_building_project()
    {
        var location = new ItemLocator("/no/such/App.csproj").Locate(new EvaluatedItem("adapters/x", []));

        Assert.Equal("/no/such/App.csproj", location.File);
        Assert.Equal(0, location.Line);
    }
}
