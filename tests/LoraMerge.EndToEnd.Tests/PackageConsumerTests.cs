using System.Text.Json;
using LoraMerge.Merging;

namespace LoraMerge.EndToEnd.Tests;

/// <summary>
/// The packed LoraMerge package in a real app: publish, incremental publish, a changed Weight, two adapters in one
/// model, an unmerged adapter, an embedded model, build + run without publish, clean, and a broken adapter.
/// Independent scenarios share one project and as few dotnet invocations as possible.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed partial class PackageConsumerTests(PackageFixture package)
{
    private const string Items = """
            <LoraAdapter Include="adapters/math" BaseModel="base" Model="Math" Weight="$(MathWeight)" />
            <LoraAdapter Include="adapters/duo_a" BaseModel="duobase" Model="Duo" Weight="0.7" />
            <LoraAdapter Include="adapters/duo_b" BaseModel="duobase" Model="Duo" Weight="-0.4" />
            <LoraAdapter Include="adapters/math" BaseModel="base" Model="Emb" Embed="true" />
            <LoraAdapter Include="adapters/raw" Merge="false" />
        """;

    private const string Program = """
        using var math = App.MathModel.Load(verifyHashes: true);
        using var duo = App.DuoModel.Load(verifyHashes: true);
        using var emb = App.EmbModel.Load(verifyHashes: true);
        Console.WriteLine($"loaded {App.MathModel.Description.Tensors.Count} {App.DuoModel.Description.Tensors.Count} {App.EmbModel.Description.Tensors.Count}");
        var q = math.Model.Layers[0].SelfAttn.QProj.Weight;
        Console.WriteLine($"math q {string.Join("x", q.Shape)} {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(q.Data))}");
        var embQ = emb.Model.Layers[0].SelfAttn.QProj.Weight;
        Console.WriteLine($"emb q {string.Join("x", embQ.Shape)} {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(embQ.Data))}");
        """;

    [Fact]
    public void Publish_merges_once_remerges_on_change_and_build_run_and_clean_work()
    {
        using var app = new ConsumerProject(package, Items, Program);
        File.AppendAllText(app.PathOf("Directory.Build.props"), "<Project><PropertyGroup><MathWeight Condition=\"'$(MathWeight)' == ''\">1.0</MathWeight></PropertyGroup></Project>");
        app.CopyFixture("merge/linear_bf16/base", "base");
        app.CopyFixture("merge/linear_bf16/adapters/a", "adapters/math");
        app.CopyFixture("merge/two_adapters_weighted_bf16/base", "duobase");
        app.CopyFixture("merge/two_adapters_weighted_bf16/adapters/a", "adapters/duo_a");
        app.CopyFixture("merge/two_adapters_weighted_bf16/adapters/b", "adapters/duo_b");
        app.CopyFixture("merge/linear_bf16/adapters/a", "adapters/raw");

        // 1. First publish merges every model.
        var first = app.Dotnet("publish", "-c", "Release", "-o", "out", "-v:n");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("LoraMerge: Math <- 1 adapter, ", first.Output);
        Assert.Contains("(models/Math)", first.Output);
        Assert.Contains("LoraMerge: Duo <- 2 adapters, ", first.Output);
        Assert.Contains("LoraMerge: Emb <- 1 adapter, ", first.Output);
        Assert.Contains("(embedded)", first.Output);
        Assert.Contains("LoraMerge: describing the models of " + app.PathOf("App.csproj"), first.Output);
        AssertSameAsEngine(app.PathOf("out", "models", "Math"), app.PathOf("base"), [(app.PathOf("adapters", "math"), 1.0)]);
        AssertSameAsEngine(app.PathOf("out", "models", "Duo"), app.PathOf("duobase"),
            [(app.PathOf("adapters", "duo_a"), 0.7), (app.PathOf("adapters", "duo_b"), -0.4)]);
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(PackageFixture.FixturesDir, "merge/two_adapters_weighted_bf16/expected/model.safetensors")),
            File.ReadAllBytes(app.PathOf("out", "models", "Duo", "model.safetensors")));
        Assert.False(Directory.Exists(app.PathOf("out", "models", "Emb")), "an embedded model is not published as files");
        AssertShipsRuntimeOnly(app.PathOf("out"));
        Assert.Equal(
            File.ReadAllBytes(app.PathOf("adapters", "raw", "adapter_model.safetensors")),
            File.ReadAllBytes(app.PathOf("out", "models", "raw", "adapter_model.safetensors")));
        var run = app.Dotnet(app.PathOf("out", "App.dll"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("loaded 21 ", run.Output);
        // The typed path reads exactly the merge engine's bytes, from files (Math) and from embedded resources (Emb).
        var (shape, sha) = ExpectedTensor("merge/linear_bf16/expected/model.safetensors", "model.layers.0.self_attn.q_proj.weight");
        Assert.Contains($"math q {shape} {sha}", run.Output);
        Assert.Contains($"emb q {shape} {sha}", run.Output);

        // 2. Nothing changed: no merge, the merged files keep their timestamps.
        var report = app.PathOf("out", "models", "Math", "lora-merge.json");
        var stamp = File.GetLastWriteTimeUtc(report);
        var second = app.Dotnet("publish", "-c", "Release", "-o", "out", "-v:n");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain("LoraMerge: merging", second.Output);
        Assert.DoesNotContain("LoraMerge: Math <-", second.Output);
        Assert.Contains("LoraMerge: Math is up to date (models/Math)", second.Output);
        // The describe step's stamp held: no child process read a header (issue 13: a no-op build starts no process).
        Assert.DoesNotContain("LoraMerge: describing", second.Output);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(report));

        // 3. A changed Weight merges that model again, and only that model.
        var third = app.Dotnet("publish", "-c", "Release", "-o", "out", "-p:MathWeight=0.5");
        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Contains("LoraMerge: Math <- 1 adapter, ", third.Output);
        Assert.DoesNotContain("LoraMerge: Duo <-", third.Output);
        // The default verbosity shows the one summary line per merged model, not the merge's progress or up-to-date lines.
        Assert.DoesNotContain("LoraMerge: merging", third.Output);
        Assert.DoesNotContain("is up to date", third.Output);
        AssertSameAsEngine(app.PathOf("out", "models", "Math"), app.PathOf("base"), [(app.PathOf("adapters", "math"), 0.5)]);

        // 4. dotnet build + dotnet run without publishing.
        var build = app.Dotnet("build", "-c", "Debug");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.True(File.Exists(app.PathOf("bin", "Debug", "net10.0", "models", "Math", "model.safetensors")));
        var debugRun = app.Dotnet("run", "-c", "Debug", "--no-build");
        Assert.True(debugRun.ExitCode == 0, debugRun.ToString());
        Assert.Contains("loaded 21 ", debugRun.Output);

        // 5. dotnet clean removes the merged folders from obj/ and bin/.
        var clean = app.Dotnet("clean", "-c", "Debug");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.False(Directory.Exists(app.PathOf("obj", "Debug", "net10.0", "lora")));
        Assert.False(File.Exists(app.PathOf("bin", "Debug", "net10.0", "models", "Math", "model.safetensors")));
    }

    [Fact]
    public void A_gguf_model_lands_beside_the_app_an_embedded_one_is_extracted_and_a_second_build_does_not_merge()
    {
        using var app = new ConsumerProject(package,
            """
                <LoraAdapter Include="adapters/bofh" BaseModel="base" Model="Bofh" Format="gguf" GgufType="q8_0" />
                <LoraAdapter Include="adapters/bofh" BaseModel="base" Model="Emb" Format="safetensors;gguf" Embed="true" />
            """,
            """
            Environment.SetEnvironmentVariable("LORAMERGE_CACHE_DIR", Path.Combine(AppContext.BaseDirectory, "gguf-cache"));
            Console.WriteLine($"bofh {App.BofhModel.GgufPath} {App.BofhModel.Config.ModelType}");
            using var emb = App.EmbModel.Load(verifyHashes: true);
            Console.WriteLine($"emb {emb.Tensors.Count} {App.EmbModel.GgufPath}");
            """);
        // The sample's tiny Llama: a GGUF needs its tokenizer files.
        foreach (var (from, to) in new[] { ("models/tiny-llama", "base"), ("adapters/bofh", "adapters/bofh") })
        {
            Directory.CreateDirectory(app.PathOf(to));
            foreach (var file in Directory.EnumerateFiles(Path.Combine(PackageFixture.RepoRoot, "samples", "AppWithAdapters", from)))
                File.Copy(file, app.PathOf(to, Path.GetFileName(file)));
        }

        var build = app.Dotnet("build", "-c", "Release");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("LoraMerge: Bofh <- 1 adapter, ", build.Output);
        var bin = app.PathOf("bin", "Release", "net10.0", "models", "Bofh");
        Assert.Equal(["lora-merge.json", "model.gguf"], Directory.EnumerateFiles(bin).Select(f => Path.GetFileName(f)!).Order().ToArray());
        AssertRecordedSha256(bin, "q8_0");

        var publish = app.Dotnet("publish", "-c", "Release", "-o", "out", "-v:n");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.DoesNotContain("LoraMerge: merging", publish.Output);
        Assert.Contains("LoraMerge: Bofh is up to date", publish.Output);
        AssertRecordedSha256(app.PathOf("out", "models", "Bofh"), "q8_0");
        Assert.False(Directory.Exists(app.PathOf("out", "models", "Emb")), "an embedded model is not published as files");

        var run = app.Dotnet(app.PathOf("out", "App.dll"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"bofh {app.PathOf("out", "models", "Bofh", "model.gguf")} llama", run.Output);
        var embSha = AssertRecordedSha256(app.PathOf("obj", "Release", "net10.0", "lora", "models", "Emb"), null);
        var extracted = app.PathOf("out", "gguf-cache", "gguf", embSha, "model.gguf");
        Assert.Contains($"emb 39 {extracted}", run.Output);
        Assert.Equal(embSha, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(extracted))));
    }

    /// <summary>lora-merge.json records the GGUF's type and its sha256, which is the file's; returns that sha256.</summary>
    [Fact]
    public void A_net8_app_builds_publishes_and_runs_a_merged_model()
    {
        // LoraMerge's dependency group is net10.0, so a net8.0 app names the runtime package itself (docs/msbuild.md).
        const string items = """
                <PackageReference Include="LoraMerge.Runtime" Version="$(LoraMergeVersion)" />
                <LoraAdapter Include="adapters/math" BaseModel="base" Model="Math" />
            """;
        const string program = """
            using var math = App.MathModel.Load(verifyHashes: true);
            var q = math.Model.Layers[0].SelfAttn.QProj.Weight;
            Console.WriteLine($"net8 {System.Environment.Version.Major} {q.Name} {string.Join("x", q.Shape)}");
            """;
        using var app = new ConsumerProject(package, items, program, "net8.0");
        // No net8.0 apphost on this machine: the app runs as "dotnet App.dll".
        File.WriteAllText(app.PathOf("Directory.Build.props"),
            $"<Project><PropertyGroup><UseAppHost>false</UseAppHost><LoraMergeVersion>{PackageFixture.Version}</LoraMergeVersion></PropertyGroup></Project>");
        app.CopyFixture("merge/linear_bf16/base", "base");
        app.CopyFixture("merge/linear_bf16/adapters/a", "adapters/math");

        var publish = app.Dotnet("publish", "-c", "Release", "-o", "out");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains("LoraMerge: Math <- 1 adapter, ", publish.Output);
        AssertShipsRuntimeOnly(app.PathOf("out"));
        using (var deps = JsonDocument.Parse(File.ReadAllBytes(app.PathOf("out", "App.runtimeconfig.json"))))
            Assert.Equal("net8.0", deps.RootElement.GetProperty("runtimeOptions").GetProperty("tfm").GetString());

        // Only the .NET 10 runtime is installed here: the net8.0 app runs on it by rolling forward.
        var run = DotnetCli.Run(app.PathOf("out"), ["exec", app.PathOf("out", "App.dll")], ("DOTNET_ROLL_FORWARD", "Major"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("net8 10 model.layers.0.self_attn.q_proj.weight", run.Output);
    }

    /// <summary>The app ships the runtime library and its models, nothing of the engine, the tasks or the tool.</summary>
    private static void AssertShipsRuntimeOnly(string publishDirectory)
    {
        Assert.True(File.Exists(Path.Combine(publishDirectory, "LoraMerge.Runtime.dll")));
        foreach (var engine in new[] { "LoraMerge.Core.dll", "LoraMerge.Tasks.dll", "LoraMerge.Cli.dll", "LoraMerge.Generators.dll" })
            Assert.False(File.Exists(Path.Combine(publishDirectory, engine)), $"{engine} is published");
        // IntelliSense reads the runtime's XML docs from the package; the app does not ship them.
        Assert.Empty(Directory.GetFiles(publishDirectory, "*.xml", SearchOption.AllDirectories));
    }

    private static string AssertRecordedSha256(string folder, string? ggufType)
    {
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "lora-merge.json")));
        var options = report.RootElement.GetProperty("options");
        Assert.Contains("gguf", options.GetProperty("formats").EnumerateArray().Select(f => f.GetString()));
        if (ggufType is not null) Assert.Equal(ggufType, options.GetProperty("ggufType").GetString());
        var recorded = report.RootElement.GetProperty("outputs").EnumerateArray()
            .Single(o => o.GetProperty("path").GetString() == "model.gguf").GetProperty("sha256").GetString()!;
        Assert.Equal(recorded, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, "model.gguf")))));
        return recorded;
    }

    [Fact]
    public void A_broken_adapter_fails_the_build_with_its_code_and_leaves_no_artifact()
    {
        using var app = new ConsumerProject(package,
            """    <LoraAdapter Include="adapters/bad" BaseModel="base" Model="Bad" />""",
            "Console.WriteLine(\"unreachable\");");
        app.CopyFixture("merge/invalid/shape_mismatch/base", "base");
        app.CopyFixture("merge/invalid/shape_mismatch/adapters/a", "adapters/bad");

        var publish = app.Dotnet("publish", "-c", "Release", "-o", "out");

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error LORA1202", publish.Output);
        Assert.Contains("adapter_model.safetensors", publish.Output);
        Assert.Contains("App.csproj", publish.Output);
        Assert.False(Directory.Exists(app.PathOf("out", "models")));
        Assert.False(Directory.Exists(app.PathOf("obj", "Release", "net10.0", "lora", "models")));
    }

    /// <summary>
    /// Issue 14: with only Merge="false" items there is no LoraModel item, and the merged-file glob
    /// <c>%(LoraModel.OutputDirectory)*</c> became <c>*</c> in the project folder: Program.cs and App.csproj shipped.
    /// </summary>
    [Fact]
    public void A_project_with_only_unmerged_adapters_ships_nothing_but_them_under_models()
    {
        using var app = new ConsumerProject(package,
            """    <LoraAdapter Include="adapters/raw" Merge="false" />""",
            "Console.WriteLine(\"raw only\");");
        app.CopyFixture("merge/linear_bf16/adapters/a", "adapters/raw");

        var publish = app.Dotnet("publish", "-c", "Release", "-o", "out");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        var shipped = Directory.GetFiles(app.PathOf("out", "models"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(app.PathOf("out", "models"), f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["raw/adapter_config.json", "raw/adapter_model.safetensors"], shipped);
        Assert.Empty(Directory.GetFiles(app.PathOf("bin", "Release", "net10.0"), "Program.cs", SearchOption.AllDirectories));
    }

    /// <summary>A project that references the package but declares no LoraAdapter: no models/ folder, nothing of the project copied.</summary>
    [Fact]
    public void A_project_with_no_adapters_ships_no_models_folder()
    {
        using var app = new ConsumerProject(package, "", "Console.WriteLine(\"no adapters\");");

        var publish = app.Dotnet("publish", "-c", "Release", "-o", "out");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.False(Directory.Exists(app.PathOf("out", "models")), "publish has a models/ folder");
        Assert.False(Directory.Exists(app.PathOf("bin", "Release", "net10.0", "models")), "bin has a models/ folder");
        Assert.Empty(Directory.GetFiles(app.PathOf("out"), "Program.cs", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(app.PathOf("out"), "*.csproj", SearchOption.AllDirectories));
    }

    private static (string Shape, string Sha256) ExpectedTensor(string fixture, string name)
    {
        using var file = LoraMerge.Formats.SafetensorsFile.Open(Path.Combine(PackageFixture.FixturesDir, fixture));
        var tensor = file.Header.Find(name)!;
        return (string.Join("x", tensor.Shape), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file.GetBytes(tensor))));
    }

    /// <summary>The folder the build produced equals what MergeEngine.Merge writes for the same inputs.</summary>
    private static void AssertSameAsEngine(string built, string baseModel, (string Directory, double Weight)[] adapters)
    {
        var reference = Path.Combine(Directory.CreateTempSubdirectory("lora-e2e-ref-").FullName, "merged");
        try
        {
            MergeEngine.Merge(new MergeOptions
            {
                BaseModelDirectory = baseModel,
                Adapters = adapters.Select(a => new AdapterInput(a.Directory, a.Weight)).ToArray(),
                OutputDirectory = reference,
            });
            var expectedFiles = Directory.EnumerateFiles(reference).Select(Path.GetFileName).Order().ToArray();
            Assert.Equal(expectedFiles, Directory.EnumerateFiles(built).Select(Path.GetFileName).Order().ToArray());
            foreach (var name in expectedFiles)
            {
                if (name == "lora-merge.json") continue;
                Assert.True(File.ReadAllBytes(Path.Combine(reference, name!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(built, name!))),
                    $"{name} differs from the engine's output");
            }
            // lora-merge.json records input paths relative to its own folder; everything that identifies the merge must match.
            using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(reference, "lora-merge.json")));
            using var actual = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(built, "lora-merge.json")));
            Assert.Equal(expected.RootElement.GetProperty("fingerprint").GetString(), actual.RootElement.GetProperty("fingerprint").GetString());
            Assert.Equal(expected.RootElement.GetProperty("outputs").GetRawText(), actual.RootElement.GetProperty("outputs").GetRawText());
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(reference)!, recursive: true);
        }
    }
}
