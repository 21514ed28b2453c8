extern alias tasks;
using System.Security.Cryptography;
using System.Text.Json;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

/// <summary>Format and GgufType: what the describe step writes for the generator, and the GGUF the merge task writes.</summary>
public sealed class GgufOutputTests
{
    private static TestProject SampleProject(out EvaluatedItem item, string format, string? ggufType = null)
    {
        var project = TestProject.Create();
        item = project.Adapter("adapters/bofh", Model: "Bofh", BaseModel: "base", Format: format, GgufType: ggufType);
        project.CopySampleModel();
        return project;
    }

    private static JsonElement Manifest(LoraDescribeModels task)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Assert.Single(task.Manifests).ItemSpec));
        return manifest.RootElement.Clone();
    }

    private static string[] Formats(JsonElement manifest) =>
        manifest.GetProperty("formats").EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public void Both_formats_keep_the_tensors_and_list_the_gguf()
    {
        using var project = SampleProject(out var item, "safetensors;gguf");
        var engine = new FakeBuildEngine(project.ProjectFile);
        var task = project.Describe(engine, item);

        Assert.True(task.Execute(), engine.AllErrors());

        var manifest = Manifest(task);
        Assert.Equal(["safetensors", "gguf"], Formats(manifest));
        Assert.True(manifest.GetProperty("tensors").GetArrayLength() > 0);
        var model = Assert.Single(task.Models);
        var options = LoraMerge.Requests.ModelMergeRequest.Read(model.GetMetadata(ModelItem.MergeRequest)).Options;
        Assert.Equal(LoraMerge.Merging.OutputFormats.Safetensors | LoraMerge.Merging.OutputFormats.Gguf, options.Formats);
        Assert.Null(options.GgufType);
    }

    [Fact]
    public void A_gguf_only_model_merges_into_model_gguf_whose_sha256_lora_merge_json_records()
    {
        using var project = SampleProject(out var item, "gguf", "q8_0");
        var engine = new FakeBuildEngine(project.ProjectFile);
        var describe = project.Describe(engine, item);
        Assert.True(describe.Execute(), engine.AllErrors());

        var manifest = Manifest(describe);
        Assert.Equal(["gguf"], Formats(manifest));
        Assert.False(manifest.TryGetProperty("tensors", out _), "a GGUF-only model has no safetensors tensors to compile in");
        var options = LoraMerge.Requests.ModelMergeRequest.Read(Path.Combine(project.Intermediate, "Bofh.merge.json")).Options;
        Assert.Equal((LoraMerge.Merging.OutputFormats.Gguf, LoraMerge.Gguf.GgufTensorType.Q8_0), (options.Formats, options.GgufType));

        var merge = TestProject.Merge(engine, describe.Models);
        Assert.True(merge.Execute(), engine.AllErrors());

        var output = Path.Combine(project.Intermediate, "models", "Bofh");
        Assert.Equal(new[] { "lora-merge.json", "model.gguf" }, Directory.GetFiles(output).Select(f => Path.GetFileName(f)).Order().ToArray());
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "lora-merge.json")));
        Assert.Equal("q8_0", report.RootElement.GetProperty("options").GetProperty("ggufType").GetString());
        var recorded = report.RootElement.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("path").GetString() == "model.gguf");
        using var gguf = File.OpenRead(Path.Combine(output, "model.gguf"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(gguf)), recorded.GetProperty("sha256").GetString());
    }

    [Fact]
    public void Changing_the_gguf_type_changes_the_merge_request_and_the_fingerprint()
    {
        using var project = SampleProject(out var item, "gguf", "q8_0");
        var engine = new FakeBuildEngine(project.ProjectFile);
        var first = project.Describe(engine, item);
        Assert.True(first.Execute(), engine.AllErrors());
        var fingerprint = Manifest(first).GetProperty("fingerprint").GetString();

        project.Set(item, "GgufType", "f16");
        var second = project.Describe(engine, item);
        Assert.True(second.Execute(), engine.AllErrors());

        Assert.Equal(LoraMerge.Gguf.GgufTensorType.F16, LoraMerge.Requests.ModelMergeRequest.Read(Path.Combine(project.Intermediate, "Bofh.merge.json")).Options.GgufType);
        Assert.NotEqual(fingerprint, Manifest(second).GetProperty("fingerprint").GetString());
    }

    [Fact]
    public void A_gguf_type_is_ignored_for_a_model_without_a_gguf()
    {
        using var project = SampleProject(out var item, "safetensors", "q8_0");
        var engine = new FakeBuildEngine(project.ProjectFile);
        var task = project.Describe(engine, item);

        Assert.True(task.Execute(), engine.AllErrors());

        Assert.Equal(["safetensors"], Formats(Manifest(task)));
        Assert.Null(LoraMerge.Requests.ModelMergeRequest.Read(Assert.Single(task.Models).GetMetadata(ModelItem.MergeRequest)).Options.GgufType);
    }

    [Fact]
    public void Rounding_reaches_the_merge_request()
    {
        using var project = TestProject.Create();
        var item = project.Adapter("adapters/bofh", Model: "Bofh", BaseModel: "base", Rounding: "peft");
        project.CopySampleModel();
        var engine = new FakeBuildEngine(project.ProjectFile);
        var task = project.Describe(engine, item);

        Assert.True(task.Execute(), engine.AllErrors());

        var options = LoraMerge.Requests.ModelMergeRequest.Read(Assert.Single(task.Models).GetMetadata(ModelItem.MergeRequest)).Options;
        Assert.Equal(LoraMerge.Merging.MergeRounding.Peft, options.Rounding);
    }
}
