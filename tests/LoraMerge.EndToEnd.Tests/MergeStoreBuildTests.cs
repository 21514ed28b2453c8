namespace LoraMerge.EndToEnd.Tests;

/// <summary>
/// Issue 14: Debug build, Release build and a RID publish of one model merge it once (obj/lora-store/) and hard-link it
/// everywhere; a touched but unchanged input does not merge again; the terminal logger shows one line per merged model.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class MergeStoreBuildTests(PackageFixture package)
{
    private const string Items = """    <LoraAdapter Include="adapters/math" BaseModel="base" Model="Math" />""";

    [Fact]
    public void Configurations_and_runtimes_share_one_merge_and_a_touched_input_merges_nothing()
    {
        using var app = new ConsumerProject(package, Items, "using var m = App.MathModel.Load(); Console.WriteLine(m.Tensors.Count);");
        app.CopyFixture("merge/linear_bf16/base", "base");
        app.CopyFixture("merge/linear_bf16/adapters/a", "adapters/math");

        var debug = app.Dotnet("build", "-c", "Debug");
        Assert.True(debug.ExitCode == 0, debug.ToString());
        Assert.Contains("LoraMerge: Math <- 1 adapter, ", debug.Output);
        Assert.DoesNotContain("linked from the merge store", debug.Output);

        var release = app.Dotnet("build", "-c", "Release");
        Assert.True(release.ExitCode == 0, release.ToString());
        Assert.Contains("LoraMerge: Math <- 1 adapter, ", release.Output);
        Assert.Contains("linked from the merge store", release.Output);

        var rid = app.Dotnet("publish", "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-o", "out-rid");
        Assert.True(rid.ExitCode == 0, rid.ToString());
        Assert.Contains("linked from the merge store", rid.Output);
        Assert.True(File.Exists(app.PathOf("out-rid", "models", "Math", "model.safetensors")));

        // One file on disk behind every configuration's merged folder.
        string Merged(params string[] configuration) => app.PathOf(["obj", .. configuration, "lora", "models", "Math", "model.safetensors"]);
        var inode = Inode(Merged("Debug", "net10.0"));
        Assert.Equal(inode, Inode(Merged("Release", "net10.0")));
        Assert.Equal(inode, Inode(Merged("Release", "net10.0", "linux-x64")));
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(PackageFixture.FixturesDir, "merge/linear_bf16/expected/model.safetensors")),
            File.ReadAllBytes(Merged("Debug", "net10.0")));

        // A newer timestamp with the same content: the build runs the merge step, which finds the merge in the store.
        File.SetLastWriteTimeUtc(app.PathOf("base", "model.safetensors"), DateTime.UtcNow.AddMinutes(1));
        var touched = app.Dotnet("build", "-c", "Debug");
        Assert.True(touched.ExitCode == 0, touched.ToString());
        Assert.Contains("linked from the merge store", touched.Output);
        Assert.Equal(inode, Inode(Merged("Debug", "net10.0")));
    }

    [Fact]
    public void The_terminal_logger_shows_the_merged_model_line_at_the_default_verbosity()
    {
        using var app = new ConsumerProject(package, Items, "Console.WriteLine(App.MathModel.Description.Tensors.Count);");
        app.CopyFixture("merge/linear_bf16/base", "base");
        app.CopyFixture("merge/linear_bf16/adapters/a", "adapters/math");

        // The terminal logger is the default in a terminal: script(1) gives the build one.
        var build = DotnetCli.RunProgram("script", app.Directory,
            ["-qec", "dotnet build -nodeReuse:false -p:UseSharedCompilation=false", "/dev/null"], ("TERM", "xterm"));

        Assert.True(build.ExitCode == 0, build.ToString());
        var text = System.Text.RegularExpressions.Regex.Replace(build.Output, "\u001b(\\[[0-9;?]*[A-Za-z]|\\][^\u001b]*\u001b\\\\)", "");
        Assert.Contains("LoraMerge: Math <- 1 adapter, ", text);
        Assert.Contains("(models/Math)", text);
    }

    [Fact]
    public void Namespace_ClassName_and_Access_shape_the_generated_class()
    {
        using var app = new ConsumerProject(package,
            """    <LoraAdapter Include="adapters/math" BaseModel="base" Model="Math" Namespace="Acme.Models" ClassName="Mathematics" Access="internal" />""",
            """
            using var m = Acme.Models.Mathematics.Load();
            Console.WriteLine($"{typeof(Acme.Models.Mathematics).IsPublic} {m.Tensors.Count}");
            """);
        app.CopyFixture("merge/linear_bf16/base", "base");
        app.CopyFixture("merge/linear_bf16/adapters/a", "adapters/math");

        var run = app.Dotnet("run", "-c", "Release");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("False 21", run.Output);
    }

    private static ulong Inode(string path)
    {
        var stat = DotnetCli.RunProgram("stat", ".", ["-c", "%i", path]);
        Assert.True(stat.ExitCode == 0, stat.ToString());
        return ulong.Parse(stat.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
