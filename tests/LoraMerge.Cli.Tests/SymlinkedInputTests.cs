namespace LoraMerge.Cli.Tests;

/// <summary>Issue 17's case: <c>merge --base baselink --adapter a --out base --force</c> must not overwrite the base.</summary>
public sealed class SymlinkedInputTests
{
    [Fact]
    public void ForceCannotReplaceTheBaseThroughALink()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var temp = new TempFolder();
        string model = temp.Combine("base");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(TestPaths.MergeFixture("linear_bf16", "base")))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        string link = temp.Combine("baselink");
        File.CreateSymbolicLink(link, model);
        byte[] before = File.ReadAllBytes(Path.Combine(model, "model.safetensors"));

        var run = CliRun.Invoke("merge", "--base", link, "--adapter", TestPaths.MergeFixture("linear_bf16", "adapters", "a"), "--out", model, "--force");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("LORA1209", run.Error);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(model, "model.safetensors")));
        Assert.Equal(["config.json", "model.safetensors"], Directory.GetFiles(model).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());
    }
}
