extern alias tasks;
using LoraMerge.Diagnostics;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

/// <summary>Issue 14: <c>Weigth="0.5"</c> merged with weight 1 and said nothing.</summary>
public sealed class UnknownMetadataTests
{
    [Fact]
    public void A_misspelt_metadata_name_is_a_warning_naming_the_closest_known_one_at_the_item_line()
    {
        using var project = TestProject.Create();
        project.CopySampleModel();
        var item = project.Adapter("adapters/bofh", Model: "Bofh", BaseModel: "base", Other: [("Weigth", "0.5")]);
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.True(project.Describe(engine, item).Execute(), engine.AllErrors());

        var warning = Assert.Single(engine.Warnings, w => w.Code == ErrorCodes.UnknownItemMetadata);
        Assert.Contains("'Weigth'", warning.Message);
        Assert.Contains("did you mean Weight?", warning.Message);
        Assert.Equal(project.ProjectFile, warning.File);
        Assert.Equal(item.Line, warning.LineNumber);
    }

    [Fact]
    public void Unrelated_metadata_gets_no_suggestion_and_known_metadata_no_warning()
    {
        using var project = TestProject.Create();
        project.CopySampleModel();
        var item = project.Adapter("adapters/bofh", Model: "Bofh", BaseModel: "base", Weight: "0.5", Other: [("Colour", "blue")]);
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.True(project.Describe(engine, item).Execute(), engine.AllErrors());

        var warning = Assert.Single(engine.Warnings, w => w.Code == ErrorCodes.UnknownItemMetadata);
        Assert.Contains("'Colour'", warning.Message);
        Assert.DoesNotContain("did you mean", warning.Message);
    }
}
