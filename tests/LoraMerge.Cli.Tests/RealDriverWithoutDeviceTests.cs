using LoraMerge.Tests.Shared;

namespace LoraMerge.Cli.Tests;

/// <summary>lora-merge merge --backend against NVIDIA's real libcuda.so.1 on a machine without a device.</summary>
public sealed class RealDriverWithoutDeviceTests
{
    private static string Case(params string[] parts) => TestPaths.MergeFixture(parts);

    [RealDriverWithoutDeviceFact]
    public void Auto_merges_on_the_cpu_and_says_nothing_about_the_gpu()
    {
        using var temp = new TempFolder();
        var output = temp.Combine("merged");

        var run = CliRun.Invoke("merge", "--base", Case("linear_bf16", "base"), "--adapter", Case("linear_bf16", "adapters", "a"),
            "--backend", "auto", "--out", output);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.DoesNotContain("GPU", run.Out + run.Error);
        Assert.DoesNotContain("CUDA", run.Out + run.Error);
        Assert.Equal(File.ReadAllBytes(Case("linear_bf16", "expected", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(output, "model.safetensors")));
        Assert.Contains("\"backend\": \"cpu\"", File.ReadAllText(Path.Combine(output, "lora-merge.json")));
    }

    [RealDriverWithoutDeviceFact]
    public void Cuda_fails_with_LORA1305_naming_the_drivers_error_and_writes_nothing()
    {
        using var temp = new TempFolder();
        var output = temp.Combine("merged");

        var run = CliRun.Invoke("merge", "--base", Case("linear_bf16", "base"), "--adapter", Case("linear_bf16", "adapters", "a"),
            "--backend", "cuda", "--out", output);

        Assert.Equal(1, run.ExitCode);
        var errorLine = run.Error.Split(Environment.NewLine).Single(l => l.StartsWith("error ", StringComparison.Ordinal));
        Assert.StartsWith("error LORA1305: ", errorLine);
        Assert.Contains($"cuInit failed: {RealDriverWithoutDevice.NoDeviceError}", errorLine);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }
}
