using LoraMerge.Formats;

namespace LoraMerge.Cli.Tests;

/// <summary>lora-merge merge on the committed merge fixtures (tests/fixtures/merge), compared with PEFT's results.</summary>
public class MergeEndToEndTests
{
    private static string Case(params string[] parts) => TestPaths.MergeFixture(parts);

    /// <summary>Every tensor of <paramref name="expected"/> has the same dtype, shape and bytes in <paramref name="actual"/>.</summary>
    private static void AssertSameTensors(string expected, string actual)
    {
        var expectedFiles = Directory.GetFiles(expected, "*.safetensors");
        Assert.NotEmpty(expectedFiles);
        var actualFiles = Directory.GetFiles(actual, "*.safetensors").Select(SafetensorsFile.Open).ToList();
        try
        {
            int count = 0;
            foreach (var path in expectedFiles)
            {
                using var expectedFile = SafetensorsFile.Open(path);
                foreach (var tensor in expectedFile.Header.Tensors)
                {
                    var holder = actualFiles.SingleOrDefault(f => f.Header.Find(tensor.Name) is not null);
                    Assert.True(holder is not null, $"{tensor.Name} is missing from the output");
                    var other = holder.Header.Find(tensor.Name)!;
                    Assert.Equal(tensor.DType, other.DType);
                    Assert.Equal(tensor.Shape, other.Shape);
                    Assert.True(expectedFile.GetBytes(tensor).SequenceEqual(holder.GetBytes(other)), $"{tensor.Name} differs");
                    count++;
                }
            }
            Assert.Equal(count, actualFiles.Sum(f => f.Header.Tensors.Count));
        }
        finally
        {
            foreach (var file in actualFiles) file.Dispose();
        }
    }

    [Fact]
    public void Merge_writes_the_model_peft_would_write()
    {
        using var temp = new TempFolder();
        var output = temp.Combine("merged");

        var run = CliRun.Invoke("merge", "--base", Case("linear_bf16", "base"), "--adapter", Case("linear_bf16", "adapters", "a"), "--out", output);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.StartsWith("Merged 1 adapter(s) into ", run.Out);
        Assert.Contains("progress: 100% 21/21 tensors", run.Error);
        Assert.DoesNotContain("\r", run.Error);
        AssertSameTensors(Case("linear_bf16", "expected"), output);
        Assert.True(File.Exists(Path.Combine(output, "config.json")));
        Assert.True(File.Exists(Path.Combine(output, "lora-merge.json")));
    }

    [Fact]
    public void Weights_pair_with_adapters_in_order()
    {
        using var temp = new TempFolder();
        var output = temp.Combine("merged");
        var fixture = "two_adapters_weighted_bf16";

        var run = CliRun.Invoke("merge", "--base", Case(fixture, "base"),
            "--adapter", Case(fixture, "adapters", "a"), "--adapter", Case(fixture, "adapters", "b"),
            "--weight", "0.7", "--weight", "-0.4", "--out", output);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.StartsWith("Merged 2 adapter(s) into ", run.Out);
        AssertSameTensors(Case(fixture, "expected"), output);
    }

    [Fact]
    public void Existing_output_needs_force_and_is_then_replaced()
    {
        using var temp = new TempFolder();
        var output = temp.Combine("merged");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "stale.txt"), "old");
        string[] args = ["merge", "--base", Case("linear_bf16", "base"), "--adapter", Case("linear_bf16", "adapters", "a"), "--out", output];

        var refused = CliRun.Invoke(args);
        var forced = CliRun.Invoke([.. args, "--force"]);

        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("error LORA1302: ", refused.Error);
        Assert.True(forced.ExitCode == 0, forced.Error);
        Assert.False(File.Exists(Path.Combine(output, "stale.txt")));
        AssertSameTensors(Case("linear_bf16", "expected"), output);
    }

    [Theory]
    [InlineData("shape_mismatch", "LORA1202", "adapters/a/adapter_model.safetensors")]
    [InlineData("unsupported_peft_type", "LORA1111", "adapters/a/adapter_config.json")]
    [InlineData("nan_in_lora_b", "LORA1301", "adapters/a/adapter_model.safetensors")]
    public void Merge_errors_print_code_and_file_and_exit_1(string fixture, string code, string file)
    {
        using var temp = new TempFolder();
        var output = temp.Combine("merged");

        var run = CliRun.Invoke("merge", "--base", Case("invalid", fixture, "base"),
            "--adapter", Case("invalid", fixture, "adapters", "a"), "--out", output);

        Assert.Equal(1, run.ExitCode);
        var errorLine = run.Error.Split(Environment.NewLine).Single(l => l.StartsWith("error ", StringComparison.Ordinal));
        Assert.StartsWith($"error {code}: ", errorLine);
        Assert.EndsWith($"({Path.GetFullPath(Case("invalid", fixture, file))})", errorLine);
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Cancelling_exits_130_and_leaves_nothing_behind()
    {
        using var temp = new TempFolder();
        var output = temp.Combine("merged");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var run = CliRun.Invoke(cancelled.Token,
            "merge", "--base", Case("linear_bf16", "base"), "--adapter", Case("linear_bf16", "adapters", "a"), "--out", output);

        Assert.Equal(130, run.ExitCode);
        Assert.Contains("cancelled", run.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Inspect_with_base_shows_what_a_merge_would_change()
    {
        var run = CliRun.Invoke("inspect", Case("modules_to_save_f32", "adapters", "a"), "--base", Case("modules_to_save_f32", "base"), "--all");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("Merge plan against ", run.Out);
        Assert.Matches(@"model\.layers\.0\.self_attn\.q_proj\.weight\s+merge\s+F32", run.Out);
        Assert.Matches(@"lm_head\.weight\s+replace\s+F32", run.Out);
        Assert.DoesNotMatch(@"input_layernorm\.weight\s+(merge|replace|copy)", run.Out);
        Assert.Matches(@"output tensors: \d+ \(4 merged, 1 replaced, \d+ copied\)", run.Out);
    }

    [Fact]
    public void Inspect_with_a_mismatched_base_reports_the_plan_error()
    {
        var run = CliRun.Invoke("inspect", Case("invalid", "shape_mismatch", "adapters", "a"), "--base", Case("invalid", "shape_mismatch", "base"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Adapter folder: ", run.Out);
        Assert.StartsWith("error LORA1202: ", run.Error);
    }
}
