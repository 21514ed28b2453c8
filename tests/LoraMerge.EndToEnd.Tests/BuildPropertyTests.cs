using System.Diagnostics;

namespace LoraMerge.EndToEnd.Tests;

/// <summary>
/// Issue 18: the documented build properties that had no test, on the packed package in a real app (in this class so
/// that it shares the packed feed): <c>LoraModelsDirectory</c>, <c>LoraMergeOnBuild=false</c> and <c>LoraUseHardLinks</c>.
/// </summary>
public sealed partial class PackageConsumerTests
{
    [Fact]
    public void LoraModelsDirectory_LoraMergeOnBuild_and_LoraUseHardLinks_do_what_docs_msbuild_says()
    {
        if (!OperatingSystem.IsLinux()) return; // inode numbers through stat(1)
        using var app = new ConsumerProject(package,
            """    <LoraAdapter Include="adapters/math" BaseModel="base" Model="Math" />""",
            """Console.WriteLine($"tensors {App.MathModel.Description.Tensors.Count}");""");
        File.WriteAllText(app.PathOf("Directory.Build.props"),
            "<Project><PropertyGroup><LoraModelsDirectory>weights</LoraModelsDirectory></PropertyGroup></Project>");
        app.CopyFixture("merge/linear_bf16/base", "base");
        app.CopyFixture("merge/linear_bf16/adapters/a", "adapters/math");
        string merged = app.PathOf("obj", "Release", "net10.0", "lora", "models", "Math", "model.safetensors");
        string bin = app.PathOf("bin", "Release", "net10.0");

        // 1. LoraMergeOnBuild=false: the build describes (the generated class compiles) but merges nothing and
        //    deploys nothing to bin/.
        var noMerge = app.Dotnet("build", "-c", "Release", "-p:LoraMergeOnBuild=false");
        Assert.True(noMerge.ExitCode == 0, noMerge.ToString());
        Assert.DoesNotContain("LoraMerge: Math <-", noMerge.Output);
        Assert.False(File.Exists(merged), "LoraMergeOnBuild=false merged on build");
        Assert.False(Directory.Exists(Path.Combine(bin, "weights")));
        Assert.True(File.Exists(Path.Combine(bin, "App.dll")));

        // 2. The default build merges and deploys under $(LoraModelsDirectory) (not models/), as a hard link to obj/.
        var build = app.Dotnet("build", "-c", "Release");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("LoraMerge: Math <- 1 adapter, ", build.Output);
        string deployed = Path.Combine(bin, "weights", "Math", "model.safetensors");
        Assert.True(File.Exists(deployed), build.ToString());
        Assert.True(File.Exists(Path.Combine(bin, "weights", "Math", "lora-merge.json")));
        Assert.True(File.Exists(Path.Combine(bin, "weights", "Math", "config.json")));
        Assert.False(Directory.Exists(Path.Combine(bin, "models")));
        Assert.Equal(Inode(merged), Inode(deployed));
        var run = app.Dotnet("run", "-c", "Release", "--no-build");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("tensors 21", run.Output);

        // 3. LoraUseHardLinks=false: a copy (another inode), same bytes; publish too.
        Directory.Delete(Path.Combine(bin, "weights"), recursive: true);
        var copied = app.Dotnet("build", "-c", "Release", "-p:LoraUseHardLinks=false");
        Assert.True(copied.ExitCode == 0, copied.ToString());
        Assert.NotEqual(Inode(merged), Inode(deployed));
        Assert.Equal(File.ReadAllBytes(merged), File.ReadAllBytes(deployed));
        var publish = app.Dotnet("publish", "-c", "Release", "-o", "out", "--no-build", "-p:LoraUseHardLinks=false");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        string published = app.PathOf("out", "weights", "Math", "model.safetensors");
        Assert.NotEqual(Inode(merged), Inode(published));
        Assert.Equal(File.ReadAllBytes(merged), File.ReadAllBytes(published));
        Assert.False(Directory.Exists(app.PathOf("out", "models")));

        // ... and with the default (hard links), the published file is the merged file itself.
        var linked = app.Dotnet("publish", "-c", "Release", "-o", "out-linked", "--no-build");
        Assert.True(linked.ExitCode == 0, linked.ToString());
        Assert.Equal(Inode(merged), Inode(app.PathOf("out-linked", "weights", "Math", "model.safetensors")));
    }

    private static string Inode(string path)
    {
        var start = new ProcessStartInfo("stat") { RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", "%d:%i", path }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        string text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"stat {path} failed");
        return text;
    }
}
