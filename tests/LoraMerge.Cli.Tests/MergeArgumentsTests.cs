using LoraMerge.Cli.Commands;
using LoraMerge.Merging;

namespace LoraMerge.Cli.Tests;

public class MergeArgumentsTests
{
    private static MergeOptions ParseOptions(params string[] args)
    {
        var line = new MergeCommandLine();
        var parse = line.CreateCommand().Parse(args);
        Assert.Empty(parse.Errors);
        return new MergeRunner(line, new CliConsole(TextWriter.Null, TextWriter.Null), CancellationToken.None).ToOptions(parse);
    }

    [Fact]
    public void Options_map_onto_merge_options()
    {
        var options = ParseOptions(
            "--base", "base", "--adapter", "a", "--adapter", "b", "--adapter", "c", "--weight", "0.7", "--weight", "-0.4",
            "--no-safe-merge", "--rounding", "peft", "--max-shard-size", "2GiB", "--threads", "3", "--backend", "cuda", "--out", "out");

        Assert.Equal("base", options.BaseModelDirectory);
        Assert.Equal("out", options.OutputDirectory);
        Assert.Equal([new AdapterInput("a", 0.7), new AdapterInput("b", -0.4), new AdapterInput("c", 1.0)], options.Adapters);
        Assert.False(options.SafeMerge);
        Assert.Equal(2L << 30, options.MaxShardSize);
        Assert.Equal(3, options.Threads);
        Assert.Equal(MergeBackendKind.Cuda, options.Backend);
        Assert.Equal(MergeRounding.Peft, options.Rounding);
    }

    [Fact]
    public void Defaults_are_safe_merge_base_layout_all_cores_auto_backend()
    {
        var options = ParseOptions("--base", "base", "--adapter", "a", "--out", "out");
        Assert.Equal(MergeRounding.Single, options.Rounding);

        Assert.Equal([new AdapterInput("a", 1.0)], options.Adapters);
        Assert.True(options.SafeMerge);
        Assert.Null(options.MaxShardSize);
        Assert.Equal(0, options.Threads);
        Assert.Equal(MergeBackendKind.Auto, options.Backend);
    }

    [Fact]
    public void Several_values_may_follow_one_flag()
    {
        var options = ParseOptions("--base", "base", "--adapter", "a", "b", "--weight", "0.5", "2", "--out", "out", "--safe-merge");

        Assert.Equal([new AdapterInput("a", 0.5), new AdapterInput("b", 2)], options.Adapters);
        Assert.True(options.SafeMerge);
    }

    [Theory]
    [InlineData("more --weight than --adapter", "--weight", "--base b --adapter a --weight 1 --weight 2 --out o")]
    [InlineData("bad size", "--max-shard-size", "--base b --adapter a --out o --max-shard-size 5XB")]
    [InlineData("zero size", "--max-shard-size", "--base b --adapter a --out o --max-shard-size 0")]
    [InlineData("weight not a number", "--weight", "--base b --adapter a --out o --weight x")]
    [InlineData("weight not finite", "--weight", "--base b --adapter a --out o --weight NaN")]
    [InlineData("unknown backend", "gpu", "--base b --adapter a --out o --backend gpu")]
    [InlineData("unknown rounding", "twice", "--base b --adapter a --out o --rounding twice")]
    [InlineData("negative threads", "--threads", "--base b --adapter a --out o --threads -1")]
    [InlineData("both safe-merge flags", "--no-safe-merge", "--base b --adapter a --out o --safe-merge --no-safe-merge")]
    [InlineData("missing --out", "--out", "--base b --adapter a")]
    [InlineData("missing --adapter", "--adapter", "--base b --out o")]
    [InlineData("missing --base", "--base", "--adapter a --out o")]
    [InlineData("unknown option", "--frobnicate", "--base b --adapter a --out o --frobnicate")]
    public void Usage_errors_exit_2_with_a_clear_message(string why, string mentioned, string arguments)
    {
        var run = CliRun.Invoke(["merge", .. arguments.Split(' ')]);

        Assert.True(run.ExitCode == 2, $"{why}: exit code {run.ExitCode}, stderr: {run.Error}");
        Assert.Contains("error: ", run.Error);
        Assert.Contains(mentioned, run.Error);
        Assert.Contains("lora-merge merge --help", run.Error);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public void No_command_is_a_usage_error()
    {
        var run = CliRun.Invoke();

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("lora-merge --help", run.Error);
    }

    [Fact]
    public void A_non_empty_output_folder_is_refused_without_force()
    {
        using var temp = new TempFolder();
        var output = temp.Combine("out");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "keep.txt"), "precious");

        var run = CliRun.Invoke("merge", "--base", temp.Combine("base"), "--adapter", temp.Combine("a"), "--out", output);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error LORA1302: ", run.Error);
        Assert.Contains("--force", run.Error);
        Assert.Contains($"({output})", run.Error);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(output, "keep.txt")));
    }

    [Fact]
    public void An_output_folder_that_is_an_input_is_refused_even_with_force()
    {
        using var temp = new TempFolder();
        var baseModel = temp.Combine("base");
        Directory.CreateDirectory(baseModel);
        File.WriteAllText(Path.Combine(baseModel, "config.json"), "{}");

        var run = CliRun.Invoke("merge", "--base", baseModel, "--adapter", temp.Combine("a"), "--out", baseModel, "--force");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error LORA1209: ", run.Error);
        Assert.True(File.Exists(Path.Combine(baseModel, "config.json")));
    }
}
