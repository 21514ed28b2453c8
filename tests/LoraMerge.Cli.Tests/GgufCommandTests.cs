namespace LoraMerge.Cli.Tests;

/// <summary>lora-merge merge --format / --gguf-type and lora-merge inspect on a GGUF, on the sample model.</summary>
public sealed class GgufCommandTests
{
    private static string Sample(params string[] parts) =>
        Path.Combine([Path.GetDirectoryName(TestPaths.FixturesDir.TrimEnd('/'))!, "..", "samples", "AppWithAdapters", .. parts]);

    private static string[] MergeArgs(string output, params string[] more) =>
        ["merge", "--base", Sample("models", "tiny-llama"), "--adapter", Sample("adapters", "bofh"), "--out", output, .. more];

    [Fact]
    public void FormatGgufWritesOnlyTheGgufAndTheReport()
    {
        using var temp = new TempFolder();
        string output = temp.Combine("merged");
        var run = CliRun.Invoke(MergeArgs(output, "--format", "gguf", "--gguf-type", "q8_0"));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(["lora-merge.json", "model.gguf"], Directory.GetFiles(output).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());

        var inspect = CliRun.Invoke("inspect", Path.Combine(output, "model.gguf"));
        Assert.True(inspect.ExitCode == 0, inspect.Error);
        Assert.Contains("general.architecture", inspect.Out);
        Assert.Contains("\"llama\"", inspect.Out);
        Assert.Contains("general.file_type                       uint32       7", inspect.Out);
        Assert.Contains("blk.0.attn_q.weight", inspect.Out);
        Assert.Contains("q8_0", inspect.Out);

        var folder = CliRun.Invoke("inspect", output);
        Assert.True(folder.ExitCode == 0, folder.Error);
        Assert.StartsWith("GGUF file: ", folder.Out);
    }

    [Fact]
    public void BothFormatsFromOnePass()
    {
        using var temp = new TempFolder();
        string output = temp.Combine("merged");
        var run = CliRun.Invoke(MergeArgs(output, "--format", "safetensors,gguf"));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, "model.gguf")));
        Assert.True(File.Exists(Path.Combine(output, "vocab.json")));
    }

    [Theory]
    [InlineData("--gguf-type", "q4_0", "LORA1603")]
    [InlineData("--format", "onnx", "LORA1209")]
    public void BadValuesAreCodedErrorsAndWriteNothing(string option, string value, string code)
    {
        using var temp = new TempFolder();
        string output = temp.Combine("merged");
        string[] extra = option == "--gguf-type" ? ["--format", "gguf", option, value] : [option, value];
        var run = CliRun.Invoke(MergeArgs(output, extra));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(code, run.Error);
        Assert.Contains(value, run.Error);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void InspectOfATruncatedGgufIsLora1607()
    {
        using var temp = new TempFolder();
        string file = temp.Combine("broken.gguf");
        File.WriteAllBytes(file, "GGUF\u0003\0\0\0"u8.ToArray());
        var run = CliRun.Invoke("inspect", file);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("LORA1607", run.Error);
        Assert.Contains("broken.gguf", run.Error);
    }
}
