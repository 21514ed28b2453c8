extern alias tasks;
using LoraMerge.Diagnostics;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

/// <summary>
/// Two models whose names give one generated class, one folder <c>models/&lt;Model&gt;/</c> or one resource prefix
/// <c>LoraMerge/&lt;Model&gt;/</c> are LORA1404 at the later <c>&lt;LoraAdapter&gt;</c> line, before any header is read.
/// </summary>
public sealed class ModelNameCollisionTests
{
    [Theory]
    [InlineData("bofh-v2", "bofh_v2", "BofhV2Model")]
    [InlineData("math", "Math", "MathModel")]
    [InlineData("my.model", "my-model", "MyModelModel")]
    public void Merged_models_whose_names_give_one_class_name_are_LORA1404_at_the_second_item(string first, string second, string className)
    {
        using var project = TestProject.Create();
        var one = project.Adapter("adapters/a", Model: first, BaseModel: "base1");
        var two = project.Adapter("adapters/b", Model: second, BaseModel: "base2");
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.False(project.Describe(engine, one, two).Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(project.ProjectFile, error.File);
        Assert.Equal(two.Line, error.LineNumber);
        Assert.Equal(ErrorCodes.InvalidItemMetadata, error.Code);
        Assert.Contains(className, error.Message);
        Assert.Contains($"'{first}'", error.Message);
        Assert.Contains($"'{second}'", error.Message);
    }

    /// <summary>Issue 17: Model="Math" and Model="math" on one base used to become one model applying both adapters.</summary>
    [Fact]
    public void Names_that_differ_only_in_case_are_two_models_that_collide_not_one()
    {
        using var project = TestProject.Create();
        var one = project.Adapter("adapters/a", Model: "Math", BaseModel: "base");
        var two = project.Adapter("adapters/b", Model: "math", BaseModel: "base");
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.False(project.Describe(engine, one, two).Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InvalidItemMetadata, error.Code);
        Assert.Equal(two.Line, error.LineNumber);
        Assert.Contains("only in case", error.Message);
    }

    [Theory]
    [InlineData("CON")]
    [InlineData("nul")]
    [InlineData("com1.v2")]
    [InlineData("model.")]
    public void Names_windows_cannot_hold_are_LORA1404(string name)
    {
        using var project = TestProject.Create();
        var item = project.Adapter("adapters/a", Model: name, BaseModel: "base");
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.False(project.Describe(engine, item).Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InvalidItemMetadata, error.Code);
        Assert.Equal(item.Line, error.LineNumber);
    }

    [Fact]
    public void An_unmerged_adapter_whose_model_differs_from_a_merged_one_only_in_case_is_LORA1404()
    {
        using var project = TestProject.Create();
        var merged = project.Adapter("adapters/a", Model: "Math", BaseModel: "base");
        var unmerged = project.Adapter("adapters/b", Model: "math", Merge: "false");
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.False(project.Describe(engine, merged, unmerged).Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InvalidItemMetadata, error.Code);
        Assert.Equal(unmerged.Line, error.LineNumber);
        Assert.Contains("same folder", error.Message);
    }

    [Theory]
    [InlineData("Math", "Math")]
    [InlineData("Math", "MATH")]
    public void Two_unmerged_adapters_with_one_model_folder_are_LORA1404_at_the_second_item(string first, string second)
    {
        using var project = TestProject.Create();
        var one = project.Adapter("adapters/a", Model: first, Merge: "false");
        var two = project.Adapter("adapters/b", Model: second, Merge: "false");
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.False(project.Describe(engine, one, two).Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InvalidItemMetadata, error.Code);
        Assert.Equal(two.Line, error.LineNumber);
        Assert.Contains("adapters/a", error.Message);
    }

    [Fact]
    public void Two_models_given_one_ClassName_in_one_Namespace_are_LORA1404_and_other_namespaces_keep_them_apart()
    {
        using var project = TestProject.Create();
        var one = project.Adapter("adapters/a", Model: "math", BaseModel: "base1", Other: [("ClassName", "Shared"), ("Namespace", "Acme")]);
        var two = project.Adapter("adapters/b", Model: "chat", BaseModel: "base2", Other: [("ClassName", "Shared"), ("Namespace", "Acme")]);
        var three = project.Adapter("adapters/c", Model: "code", BaseModel: "base3", Other: [("ClassName", "Shared"), ("Namespace", "Other")]);
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.False(project.Describe(engine, one, two, three).Execute());

        var error = Assert.Single(engine.Errors, e => e.Code == ErrorCodes.InvalidItemMetadata);
        Assert.Equal(two.Line, error.LineNumber);
        Assert.Contains("Acme.Shared", error.Message);
    }

    [Fact]
    public void Distinct_class_names_pass_the_check()
    {
        using var project = TestProject.Create();
        var one = project.Adapter("adapters/a", Model: "bofh-v2", BaseModel: "base");
        var two = project.Adapter("adapters/b", Model: "bofh-v3", BaseModel: "base");
        var engine = new FakeBuildEngine(project.ProjectFile);

        project.Describe(engine, one, two).Execute();

        // The base folder does not exist, so the preflight fails later; the item checks pass.
        Assert.DoesNotContain(engine.Errors, e => e.Code == ErrorCodes.InvalidItemMetadata);
    }
}
