using System.Diagnostics;

namespace LoraMerge.Cli.Tests;

/// <summary>Runs the built LoraMerge.Cli.dll with <c>dotnet</c>, as the packaged tool runs.</summary>
public class OutOfProcessTests
{
    private static (int ExitCode, string Out, string Error) RunDll(params string[] args)
    {
        var dll = typeof(CliApp).Assembly.Location;
        Assert.Equal("LoraMerge.Cli.dll", Path.GetFileName(dll));
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    [Fact]
    public void Help_runs_from_the_built_dll()
    {
        var (exitCode, output, error) = RunDll("merge", "--help");

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.Contains("lora-merge merge", output);
        Assert.Contains("--max-shard-size", output);
    }

    [Fact]
    public void Usage_error_exits_2_from_the_built_dll()
    {
        var (exitCode, output, error) = RunDll("merge", "--base", "b", "--adapter", "a", "--out", "o", "--max-shard-size", "lots");

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("error: --max-shard-size: 'lots' is not a size", error);
    }

    [Fact]
    public void Input_error_exits_1_with_code_and_file_from_the_built_dll()
    {
        var missing = Path.Combine(Path.GetTempPath(), "lora-merge-missing-" + Guid.NewGuid().ToString("N"));

        var (exitCode, _, error) = RunDll("inspect", missing);

        Assert.Equal(1, exitCode);
        Assert.Equal($"error LORA1001: The folder does not exist. ({missing})", error.TrimEnd());
    }
}
