using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using LoraMerge.Formats;

namespace LoraMerge.Cli.Tests;

/// <summary>
/// Issue 18: documented CLI behaviour that had no test: <c>--version</c>, a real merge with <c>--max-shard-size</c>
/// (shards and index), companion files in the merged folder, warning LORA1904 as the CLI prints it, and Ctrl+C (SIGINT)
/// in the middle of a merge run as a child process (exit 130, nothing at <c>--out</c>, no temp folder).
/// </summary>
public class DocumentedBehaviourTests
{
    private static string Case(params string[] parts) => TestPaths.MergeFixture(parts);

    [Fact]
    public async Task Version_prints_the_tool_version_and_exits_0()
    {
        // Out of process: the version option writes to the process's console, as the installed tool does.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        start.ArgumentList.Add("--version");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal("", await error);
        string expected = typeof(CliApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;
        Assert.Equal(expected + Environment.NewLine, output);
        Assert.Matches(@"^\d+\.\d+\.\d+", output);
    }

    [Fact]
    public void Max_shard_size_writes_shards_no_larger_than_asked_and_an_index_that_maps_every_tensor()
    {
        using var temp = new TempFolder();
        var output = temp.Combine("merged");
        const long limit = 600;   // the fixture's tensors are 128 .. 512 bytes: several shards

        var run = CliRun.Invoke("merge", "--base", Case("linear_bf16", "base"), "--adapter", Case("linear_bf16", "adapters", "a"),
            "--max-shard-size", limit.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", output);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.False(File.Exists(Path.Combine(output, "model.safetensors")));
        var shards = Directory.GetFiles(output, "*.safetensors").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.True(shards.Length >= 2, string.Join(", ", shards));
        for (int i = 0; i < shards.Length; i++)
            Assert.Equal($"model-{i + 1:D5}-of-{shards.Length:D5}.safetensors", shards[i]);

        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "model.safetensors.index.json")));
        var map = index.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        long dataBytes = 0;
        var seen = new HashSet<string>();
        foreach (var shard in shards)
        {
            using var file = SafetensorsFile.Open(Path.Combine(output, shard!));
            long shardData = file.Header.Tensors.Sum(t => t.ByteLength);
            // A shard holds at most the limit of tensor data, unless one tensor alone is larger.
            Assert.True(shardData <= limit || file.Header.Tensors.Count == 1, $"{shard} holds {shardData} bytes of tensors");
            foreach (var t in file.Header.Tensors)
            {
                Assert.True(seen.Add(t.Name), $"{t.Name} is in two shards");
                Assert.Equal(shard, map[t.Name]);
            }
            dataBytes += shardData;
        }
        Assert.Equal(map.Keys.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Equal(dataBytes, index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());

        // The same tensors, bytes and all, as the unsharded expected result; config.json as the expected one.
        using var expected = SafetensorsFile.Open(Case("linear_bf16", "expected", "model.safetensors"));
        Assert.Equal(expected.Header.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        foreach (var t in expected.Header.Tensors)
        {
            using var file = SafetensorsFile.Open(Path.Combine(output, map[t.Name]));
            Assert.True(expected.GetBytes(t).SequenceEqual(file.GetBytes(file.Header.Find(t.Name)!)), $"{t.Name} differs");
        }
        Assert.Equal(File.ReadAllBytes(Case("linear_bf16", "expected", "config.json")), File.ReadAllBytes(Path.Combine(output, "config.json")));

        // lora-merge.json records every shard and the index with their sha256.
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "lora-merge.json")));
        var recorded = report.RootElement.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("path").GetString()!).ToHashSet();
        foreach (var shard in shards) Assert.Contains(shard!, recorded);
    }

    [Fact]
    public void Companion_files_reach_the_merged_folder_byte_for_byte()
    {
        using var temp = new TempFolder();
        var baseDir = temp.Combine("base");
        Directory.CreateDirectory(baseDir);
        foreach (var file in Directory.GetFiles(Case("linear_bf16", "base")))
            File.Copy(file, Path.Combine(baseDir, Path.GetFileName(file)));
        var companions = new Dictionary<string, byte[]>
        {
            ["tokenizer.json"] = "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}}"u8.ToArray(),
            ["tokenizer_config.json"] = "{\"chat_template\": \"{% for m in messages %}{{ m }}{% endfor %}\"}"u8.ToArray(),
            ["generation_config.json"] = "{\"do_sample\": true}\n"u8.ToArray(),
            ["tokenizer.model"] = Enumerable.Range(0, 1000).Select(i => (byte)(255 - i % 256)).ToArray(),
        };
        foreach (var (name, bytes) in companions) File.WriteAllBytes(Path.Combine(baseDir, name), bytes);
        var output = temp.Combine("merged");

        var run = CliRun.Invoke("merge", "--base", baseDir, "--adapter", Case("linear_bf16", "adapters", "a"), "--out", output);

        Assert.True(run.ExitCode == 0, run.Error);
        foreach (var (name, bytes) in companions)
        {
            Assert.True(File.Exists(Path.Combine(output, name)), $"{name} is missing from the merged folder");
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(output, name)));
        }
        Assert.Equal(File.ReadAllBytes(Case("linear_bf16", "expected", "config.json")), File.ReadAllBytes(Path.Combine(output, "config.json")));
    }

    [Fact]
    public void A_module_tied_to_the_embedding_is_merged_with_warning_LORA1904()
    {
        using var temp = new TempFolder();
        // The tied fixture's base (tie_word_embeddings=true, no lm_head.weight) and an adapter on lm_head.
        string baseDir = Case("tied_embeddings_bf16", "base");
        string adapterDir = LoraMerge.Tests.Shared.TiedLmHeadAdapter.Write(temp.Combine("lm_head_adapter"));
        var output = temp.Combine("merged");

        var run = CliRun.Invoke("merge", "--base", baseDir, "--adapter", adapterDir, "--out", output);

        Assert.True(run.ExitCode == 0, run.Error);
        var warning = run.Error.Split('\n').Single(l => l.Contains("LORA1904", StringComparison.Ordinal)).Trim();
        Assert.StartsWith("warning LORA1904: 'lm_head' is tied to 'model.embed_tokens.weight'", warning);
        Assert.EndsWith($"({Path.Combine(adapterDir, "adapter_model.safetensors")})", warning);
        Assert.Contains("1 warning(s)", run.Out);
        // The delta went into the shared embedding, which changed; nothing named lm_head was added.
        using var merged = SafetensorsFile.Open(Path.Combine(output, "model.safetensors"));
        using var original = SafetensorsFile.Open(Path.Combine(baseDir, "model.safetensors"));
        Assert.Null(merged.Header.Find("lm_head.weight"));
        var embedding = original.Header.Find("model.embed_tokens.weight")!;
        Assert.False(original.GetBytes(embedding).SequenceEqual(merged.GetBytes(merged.Header.Find("model.embed_tokens.weight")!)));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private const int SIGINT = 2;

    [Fact]
    public async Task Sigint_in_the_middle_of_a_merge_exits_130_and_leaves_nothing_at_out_nor_a_temp_folder()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        using var temp = new TempFolder();
        // Compute-bound rather than I/O-bound (rank 512 on 512 x 512 weights, one thread): seconds of merging after the first
        // tensor, so that the signal is handled mid-merge even on a loaded machine.
        var (baseDir, adapterDir) = LoraMerge.Tests.Shared.SlowMergeModel.Write(temp.Path, layers: 32, size: 512, rank: 512);
        var output = temp.Combine("merged");

        // On a loaded machine the merge may outrun the signal (it finishes, exit 0, before the runtime's signal thread
        // runs): then it is tried again, up to 5 times. Every run whose signal landed must exit 130 and leave nothing.
        var attempts = new List<string>();
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var (exitCode, log) = await MergeAndInterrupt(baseDir, adapterDir, output);
            attempts.Add($"exit {exitCode}: {log}");
            if (exitCode == 0)
            {
                Assert.True(Directory.Exists(output), log);
                Directory.Delete(output, recursive: true);
                continue;
            }
            Assert.True(exitCode == 130, $"exit code {exitCode}: {log}");
            Assert.DoesNotContain("Merged ", log);
            Assert.False(Directory.Exists(output), "--out exists after a cancelled merge");
            // Only the inputs remain: no ".merged.tmp-..." folder beside --out.
            Assert.Equal(["adapter", "base"], Directory.EnumerateFileSystemEntries(temp.Path).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray());
            return;
        }
        Assert.Fail("SIGINT never interrupted the merge:\n" + string.Join("\n", attempts));
    }

    private static async Task<(int ExitCode, string Log)> MergeAndInterrupt(string baseDir, string adapterDir, string output)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        // A test run started in the background (`dotnet test ... &` from a script) ignores SIGINT, and a child inherits
        // that, so the CLI would never see Ctrl+C: GNU env (which execs, keeping the pid) gives it back SIGINT's
        // default disposition, as a terminal would.
        bool viaEnv = OperatingSystem.IsLinux() && File.Exists("/usr/bin/env");
        var start = new ProcessStartInfo(viaEnv ? "/usr/bin/env" : dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (viaEnv)
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add(dotnet);
        }
        foreach (var arg in new[] { typeof(CliApp).Assembly.Location, "merge", "--base", baseDir, "--adapter", adapterDir, "--out", output, "--threads", "1" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = new System.Text.StringBuilder();
        bool signalled = false;
        string? line;
        // The first "progress:" line comes after the first tensor is written: the merge is running, with 31 to go.
        while ((line = await process.StandardError.ReadLineAsync()) is not null)
        {
            stderr.AppendLine(line);
            if (!signalled && line.StartsWith("progress: ", StringComparison.Ordinal))
            {
                kill(process.Id, SIGINT); // fails only when the merge has already ended (then it exits 0: outrun)
                signalled = true;
            }
        }
        Assert.True(process.WaitForExit(60_000), "the CLI did not exit after SIGINT");
        Assert.True(signalled, "no progress line was seen: " + stderr);
        return (process.ExitCode, stderr.ToString() + await stdout);
    }
}
