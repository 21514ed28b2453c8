extern alias tasks;
using System.Text.Json;
using LoraMerge.Diagnostics;
using Microsoft.Build.Framework;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

/// <summary>The describe and merge tasks against the real engine and the committed merge fixtures.</summary>
public sealed class DescribeAndMergeTests
{
    private static TestProject LinearProject(out EvaluatedItem item)
    {
        var project = TestProject.Create();
        item = project.Adapter("adapters/math", Model: "Math", BaseModel: "base");
        project.CopyFixture("merge/linear_bf16/base", "base");
        project.CopyFixture("merge/linear_bf16/adapters/a", "adapters/math");
        return project;
    }

    [Fact]
    public void Describe_writes_a_manifest_listing_the_base_tensors_and_outputs_the_model_item()
    {
        using var project = LinearProject(out var item);
        var engine = new FakeBuildEngine(project.ProjectFile);
        var task = project.Describe(engine, item);

        Assert.True(task.Execute(), engine.AllErrors());

        var model = Assert.Single(task.Models);
        Assert.Equal("Math", model.ItemSpec);
        var request = LoraMerge.Requests.ModelMergeRequest.Read(model.GetMetadata(ModelItem.MergeRequest));
        Assert.Equal(Path.Combine(project.Directory, "base"), request.Options.BaseModelDirectory);
        Assert.Equal(1.0, Assert.Single(request.Options.Adapters).Weight);
        Assert.Equal(Path.Combine(project.Intermediate, "models", "Math", "lora-merge.json"), model.GetMetadata(ModelItem.MergeReport));
        var inputs = model.GetMetadata(ModelItem.InputFiles).Split(';');
        Assert.Contains(Path.Combine(project.Directory, "base", "model.safetensors"), inputs);
        Assert.Contains(Path.Combine(project.Directory, "adapters", "math", "adapter_model.safetensors"), inputs);
        Assert.Contains(Path.Combine(project.Intermediate, "Math.merge.json"), inputs);

        var manifestPath = Assert.Single(task.Manifests).ItemSpec;
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(manifestPath));
        var root = manifest.RootElement;
        Assert.Equal("Math", root.GetProperty("model").GetString());
        Assert.Equal("models/Math", root.GetProperty("artifact").GetString());
        Assert.True(root.GetProperty("config").GetProperty("hidden_size").GetInt32() > 0);
        var baseNames = ReadHeaderNames(Path.Combine(project.Directory, "base", "model.safetensors"));
        var manifestNames = root.GetProperty("tensors").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToHashSet();
        Assert.Equal(baseNames, manifestNames);
        Assert.Matches("^[0-9a-f]{64}$", root.GetProperty("fingerprint").GetString()!);
    }

    [Fact]
    public void Describe_leaves_an_unchanged_manifest_alone_and_notices_a_weight_change()
    {
        using var project = LinearProject(out var item);
        var engine = new FakeBuildEngine(project.ProjectFile);
        Assert.True(project.Describe(engine, item).Execute(), engine.AllErrors());
        var manifest = Path.Combine(project.Intermediate, "Math.lora-model.json");
        var cache = Path.Combine(project.Intermediate, "Math.merge.json");
        var old = DateTime.UtcNow.AddHours(-1);
        File.SetLastWriteTimeUtc(manifest, old);
        File.SetLastWriteTimeUtc(cache, old);

        var second = new FakeBuildEngine(project.ProjectFile);
        Assert.True(project.Describe(second, item).Execute(), second.AllErrors());
        Assert.Equal(old, File.GetLastWriteTimeUtc(manifest));
        Assert.Equal(old, File.GetLastWriteTimeUtc(cache));
        Assert.Contains(second.Messages, m => m.Message!.Contains("up to date"));

        project.Set(item, "Weight", "0.5");
        var third = new FakeBuildEngine(project.ProjectFile);
        Assert.True(project.Describe(third, item).Execute(), third.AllErrors());
        Assert.NotEqual(old, File.GetLastWriteTimeUtc(cache));
        Assert.Equal(0.5, Assert.Single(LoraMerge.Requests.ModelMergeRequest.Read(cache).Options.Adapters).Weight);
    }

    /// <summary>
    /// Issue 13: the MSBuild node never opens a model file. The headers are read by the describe step's child process,
    /// which records its id; an up-to-date describe starts no process at all (the task's own stamp), and a changed
    /// input file starts one again.
    /// </summary>
    [Fact]
    public void Describe_reads_headers_in_a_child_process_and_an_up_to_date_describe_starts_none()
    {
        using var project = LinearProject(out var item);
        var engine = new FakeBuildEngine(project.ProjectFile);
        var first = project.Describe(engine, item);
        Assert.True(first.Execute(), engine.AllErrors());
        Assert.True(first.ToolProcessId > 0, "the describe step started no child");
        Assert.NotEqual(Environment.ProcessId, first.ToolProcessId);
        Assert.Equal(first.ToolProcessId, first.DescribeProcessId);

        var second = project.Describe(new FakeBuildEngine(project.ProjectFile), item);
        Assert.True(second.Execute());
        Assert.Equal(0, second.ToolProcessId);
        // Its outputs are the first describe's, from the child's result.
        Assert.Equal(first.ToolProcessId, second.DescribeProcessId);
        Assert.Equal(first.Models.Single().GetMetadata(ModelItem.InputFiles), second.Models.Single().GetMetadata(ModelItem.InputFiles));
        Assert.Equal(first.Manifests.Single().ItemSpec, second.Manifests.Single().ItemSpec);

        // A base file rewritten (same content, new timestamp) is read again, by a new child.
        var weights = Path.Combine(project.Directory, "base", "model.safetensors");
        File.SetLastWriteTimeUtc(weights, File.GetLastWriteTimeUtc(weights).AddSeconds(5));
        var third = project.Describe(new FakeBuildEngine(project.ProjectFile), item);
        Assert.True(third.Execute());
        Assert.True(third.ToolProcessId > 0 && third.ToolProcessId != first.ToolProcessId, "a changed base file did not start the describe step again");
    }

    [Fact]
    public void An_up_to_date_describe_repeats_the_warnings_of_the_last_one()
    {
        using var project = TestProject.Create();
        project.CopySampleModel();
        var item = project.Adapter("adapters/bofh", Model: "Bofh", BaseModel: "base");
        // The adapter was trained on tiny-llama; a base whose config names another model is LORA1903 (a preflight warning).
        var config = Path.Combine(project.Directory, "base", "config.json");
        var text = File.ReadAllText(config);
        File.WriteAllText(config, "{\"_name_or_path\": \"org/other-model\"," + text[(text.IndexOf('{') + 1)..]);
        var engine = new FakeBuildEngine(project.ProjectFile);
        Assert.True(project.Describe(engine, item).Execute(), engine.AllErrors());
        var warnings = engine.Warnings.Select(w => (w.Code, w.File, w.LineNumber, w.Message)).ToArray();
        Assert.Contains(warnings, w => w.Code == ErrorCodes.BaseModelNameMismatch && w.Message!.Contains($"{project.ProjectFile}({item.Line},"));

        var again = new FakeBuildEngine(project.ProjectFile);
        var second = project.Describe(again, item);
        Assert.True(second.Execute());
        Assert.Equal(0, second.ToolProcessId);
        Assert.Equal(warnings, again.Warnings.Select(w => (w.Code, w.File, w.LineNumber, w.Message)).ToArray());
    }

    [Theory]
    [InlineData("shape_mismatch", ErrorCodes.ShapeMismatch, "adapters/a/adapter_model.safetensors")]
    [InlineData("unsupported_peft_type", ErrorCodes.UnsupportedPeftType, "adapters/a/adapter_config.json")]
    [InlineData("truncated_base", ErrorCodes.RangeOutsideFile, "base/model.safetensors")]
    public void Describe_fails_a_misfit_adapter_with_its_code_at_the_file_at_fault(string fixture, string code, string file)
    {
        using var project = TestProject.Create();
        var item = project.Adapter("adapters/a", BaseModel: "base");
        project.CopyFixture($"merge/invalid/{fixture}/base", "base");
        project.CopyFixture($"merge/invalid/{fixture}/adapters/a", "adapters/a");
        var engine = new FakeBuildEngine(project.ProjectFile);
        var task = project.Describe(engine, item);

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(code, error.Code);
        Assert.Equal(Path.GetFullPath(Path.Combine(project.Directory, file)), Path.GetFullPath(error.File));
        Assert.Contains("Model 'a'", error.Message);
        Assert.Contains($"{project.ProjectFile}({item.Line},", error.Message);
        Assert.Empty(task.Models);
        Assert.False(File.Exists(Path.Combine(project.Intermediate, "a.lora-model.json")));
    }

    [Fact]
    public void Merge_writes_the_same_weights_as_the_fixture_reference()
    {
        using var project = LinearProject(out var item);
        var engine = new FakeBuildEngine(project.ProjectFile);
        var describe = project.Describe(engine, item);
        Assert.True(describe.Execute(), engine.AllErrors());

        var merge = TestProject.Merge(engine, describe.Models);
        Assert.True(merge.Execute(), engine.AllErrors());

        // The merge ran in a child process: this process (the MSBuild node's stand-in) never mapped the model.
        Assert.True(merge.ToolProcessId > 0);
        Assert.NotEqual(Environment.ProcessId, merge.ToolProcessId);

        var output = Path.Combine(project.Intermediate, "models", "Math");
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(TestProject.FixturesDir, "merge/linear_bf16/expected/model.safetensors")),
            File.ReadAllBytes(Path.Combine(output, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, "lora-merge.json")));
        // One high-importance line per model, the terminal logger's immediate kind; progress lines are for normal verbosity.
        var summary = Assert.Single(engine.Messages, m => m.Importance == MessageImportance.High && m.Message!.StartsWith("LoraMerge: Math <- 1 adapter, ", StringComparison.Ordinal));
        Assert.EndsWith("(models/Math)", summary.Message);
        Assert.Equal("TLTESTOUTPUT", Assert.IsType<ExtendedBuildMessageEventArgs>(summary).ExtendedType);
        Assert.Contains(engine.Messages, m => m.Importance == MessageImportance.Normal && m.Message!.StartsWith("LoraMerge: Math: ", StringComparison.Ordinal));
        Assert.DoesNotContain(engine.Messages, m => m.Importance == MessageImportance.High && m.Message!.StartsWith("LoraMerge: Math: ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cancelled_merge_reports_LORA1303_and_leaves_no_output_folder()
    {
        using var project = LinearProject(out var item);
        var engine = new FakeBuildEngine(project.ProjectFile);
        var describe = project.Describe(engine, item);
        Assert.True(describe.Execute(), engine.AllErrors());
        var output = Path.Combine(project.Intermediate, "models", "Math");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "lora-merge.json"), "{}");

        var merge = TestProject.Merge(engine, describe.Models);
        merge.Cancel();

        Assert.False(merge.Execute());
        Assert.Equal(ErrorCodes.Cancelled, Assert.Single(engine.Errors).Code);
        Assert.False(Directory.Exists(output));
    }

    private static HashSet<string> ReadHeaderNames(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> length = stackalloc byte[8];
        stream.ReadExactly(length);
        var header = new byte[BitConverter.ToInt64(length)];
        stream.ReadExactly(header);
        using var json = JsonDocument.Parse(header);
        return json.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").ToHashSet();
    }
}
