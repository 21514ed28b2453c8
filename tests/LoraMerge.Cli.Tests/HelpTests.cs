namespace LoraMerge.Cli.Tests;

public class HelpTests
{
    [Theory]
    [InlineData("merge", new[] { "--base", "--adapter", "--weight", "--safe-merge", "--no-safe-merge", "--rounding", "--max-shard-size", "--threads", "--backend", "--out", "--force" })]
    [InlineData("inspect", new[] { "<DIR>", "--base", "--all" })]
    public void Help_documents_every_option_with_examples_and_exit_codes(string command, string[] options)
    {
        var run = CliRun.Invoke(command, "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Contains($"lora-merge {command}", run.Out);
        foreach (var option in options) Assert.Contains(option, run.Out);
        Assert.Contains("Examples:", run.Out);
        Assert.Contains("Exit codes:", run.Out);
        Assert.Contains("130", run.Out);
    }

    [Fact]
    public void Merge_help_explains_sizes_and_weight_pairing()
    {
        var run = CliRun.Invoke("merge", "-h");

        Assert.Contains("2GiB", run.Out);
        Assert.Contains("powers of 1024", run.Out);
        Assert.Contains("n-th --weight pairs with the n-th --adapter", run.Out);
        Assert.Contains("auto|cpu|cuda", run.Out);
    }

    [Fact]
    public void Root_help_lists_both_commands()
    {
        var run = CliRun.Invoke("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Out);
        Assert.Contains("lora-merge [command]", run.Out);
        Assert.Contains("merge", run.Out);
        Assert.Contains("inspect <DIR>", run.Out);
    }
}
