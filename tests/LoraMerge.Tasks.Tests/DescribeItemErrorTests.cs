extern alias tasks;
using LoraMerge.Diagnostics;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

/// <summary>Item and property mistakes fail the describe step with their LORA14xx code at the item's line.</summary>
public sealed class DescribeItemErrorTests
{
    [Fact]
    public void Missing_adapter_folder_is_reported_at_the_item_line()
    {
        using var project = TestProject.Create();
        var present = project.Adapter("adapters/present", Merge: "false");
        var missing = project.Adapter("adapters/missing", BaseModel: "base", CreateFolder: false);
        var engine = new FakeBuildEngine(project.ProjectFile);

        var ok = project.Describe(engine, present, missing).Execute();

        Assert.False(ok);
        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.AdapterItemMissing, error.Code);
        Assert.Equal(project.ProjectFile, error.File);
        Assert.Equal(missing.Line, error.LineNumber);
        Assert.Contains("adapters/missing", error.Message);
    }

    [Fact]
    public void Merged_adapter_without_a_base_model_is_reported()
    {
        using var project = TestProject.Create();
        var item = project.Adapter("adapters/math");
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.False(project.Describe(engine, item).Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.BaseModelNotSet, error.Code);
        Assert.Equal(item.Line, error.LineNumber);
    }

    [Fact]
    public void Items_of_one_model_with_different_base_models_conflict_at_the_second_item()
    {
        using var project = TestProject.Create();
        var first = project.Adapter("adapters/a", Model: "Math", BaseModel: "base1");
        var second = project.Adapter("adapters/b", Model: "Math", BaseModel: "base2");
        var engine = new FakeBuildEngine(project.ProjectFile);

        var ok = project.Describe(engine, first, second).Execute();

        Assert.False(ok);
        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.ModelBaseConflict, error.Code);
        Assert.Equal(second.Line, error.LineNumber);
        Assert.Contains("base1", error.Message);
        Assert.Contains("base2", error.Message);
    }

    [Theory]
    [InlineData("Weight", "heavy")]
    [InlineData("Weight", "NaN")]
    [InlineData("Merge", "yes")]
    [InlineData("SafeMerge", "1")]
    [InlineData("Embed", "maybe")]
    [InlineData("Model", "my model")]
    [InlineData("Model", ".hidden")]
    [InlineData("Format", "onnx")]
    [InlineData("Format", "safetensors;gguf;onnx")]
    [InlineData("Rounding", "double")]
    [InlineData("Combination", "average")]
    [InlineData("Density", "0.5")]
    [InlineData("Namespace", "Acme..Models")]
    [InlineData("Namespace", "Acme.class")]
    [InlineData("ClassName", "3Models")]
    [InlineData("ClassName", "Math-Model")]
    [InlineData("Access", "private")]
    public void Invalid_metadata_is_reported_with_its_name(string name, string value)
    {
        using var project = TestProject.Create();
        var item = project.Adapter("adapters/math", BaseModel: "base", Other: [(name, value)]);
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.False(project.Describe(engine, item).Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InvalidItemMetadata, error.Code);
        Assert.Equal(item.Line, error.LineNumber);
        Assert.Contains(value, error.Message);
    }

    [Theory]
    [InlineData("Density", "-1")]
    [InlineData("MajoritySignMethod", "most")]
    [InlineData("SvdRank", "0")]
    [InlineData("Seed", "-3")]
    public void Invalid_combination_metadata_is_reported_with_its_name(string name, string value)
    {
        using var project = TestProject.Create();
        var item = project.Adapter("adapters/math", BaseModel: "base", Other: [("Combination", "ties"), (name, value)]);
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.False(project.Describe(engine, item).Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InvalidItemMetadata, error.Code);
        Assert.Equal(item.Line, error.LineNumber);
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void Items_of_one_model_must_agree_on_the_combination()
    {
        using var project = TestProject.Create();
        var first = project.Adapter("adapters/a", Model: "Math", BaseModel: "base", Other: [("Combination", "ties"), ("Density", "0.5")]);
        var second = project.Adapter("adapters/b", Model: "Math", BaseModel: "base", Other: [("Combination", "ties"), ("Density", "0.7")]);
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.False(project.Describe(engine, first, second).Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InvalidItemMetadata, error.Code);
        Assert.Equal(second.Line, error.LineNumber);
        Assert.Contains("Density", error.Message);
    }

    [Theory]
    [InlineData("q4_k")]
    [InlineData("int8")]
    public void An_unknown_gguf_type_is_LORA1603_at_the_item_line(string type)
    {
        using var project = TestProject.Create();
        var item = project.Adapter("adapters/math", BaseModel: "base", Format: "gguf", GgufType: type);
        var engine = new FakeBuildEngine(project.ProjectFile);

        Assert.False(project.Describe(engine, item).Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InvalidGgufType, error.Code);
        Assert.Equal(project.ProjectFile, error.File);
        Assert.Equal(item.Line, error.LineNumber);
        Assert.Contains(type, error.Message);
        Assert.Contains("q8_0", error.Message);
    }

    /// <summary>Metadata that applies to the whole merged model: a second item of the model that disagrees is LORA1404 at its line.</summary>
    [Theory]
    [InlineData("Format", "safetensors", "gguf")]
    [InlineData("GgufType", "q8_0", "f16")]
    [InlineData("Rounding", "single", "peft")]
    [InlineData("Embed", "false", "true")]
    [InlineData("Namespace", "Acme", "Other")]
    [InlineData("ClassName", "Mathematics", "Maths")]
    [InlineData("Access", "public", "internal")]
    public void Items_of_one_model_must_agree_on_whole_model_metadata(string name, string first, string second)
    {
        using var project = TestProject.Create();
        var one = project.Adapter("adapters/a", Model: "Math", BaseModel: "base", Format: "safetensors;gguf", Other: [(name, first)]);
        var two = project.Adapter("adapters/b", Model: "Math", BaseModel: "base", Format: "safetensors;gguf", Other: [(name, second)]);
        var engine = new FakeBuildEngine(project.ProjectFile);

        var ok = project.Describe(engine, one, two).Execute();

        Assert.False(ok);
        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InvalidItemMetadata, error.Code);
        Assert.Equal(two.Line, error.LineNumber);
        Assert.Contains($"{name}=\"{second}\"", error.Message);
    }

    [Fact]
    public void Unmerged_adapter_cannot_take_a_merged_model_name()
    {
        using var project = TestProject.Create();
        var merged = project.Adapter("adapters/a", Model: "Math", BaseModel: "base");
        var unmerged = project.Adapter("adapters/b", Model: "Math", Merge: "false");
        var engine = new FakeBuildEngine(project.ProjectFile);

        var ok = project.Describe(engine, merged, unmerged).Execute();

        Assert.False(ok);
        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InvalidItemMetadata, error.Code);
        Assert.Equal(unmerged.Line, error.LineNumber);
    }

    [Theory]
    [InlineData("gpu", "2")]
    [InlineData("cpu", "-1")]
    [InlineData("cpu", "many")]
    public void Invalid_properties_are_reported_at_the_project_file(string backend, string threads)
    {
        using var project = TestProject.Create();
        var item = project.Adapter("adapters/math", BaseModel: "base");
        var engine = new FakeBuildEngine(project.ProjectFile);
        var task = project.Describe(engine, item);
        task.Backend = backend;
        task.Threads = threads;

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.InvalidProperty, error.Code);
        Assert.Equal(project.ProjectFile, error.File);
        Assert.Equal(0, error.LineNumber);
    }
}
