using System.Diagnostics;
using AppWithAdapters.Inference;
using LoraMerge.Merging;
using Xunit.Abstractions;

namespace LoraMerge.Sample.Tests;

/// <summary>The merged sample model is faithful to base + LoRA applied at run time, and the published app ships it.</summary>
public sealed class MergedModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("loramerge-sample-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Merge()
    {
        string merged = Path.Combine(_temp, "merged");
        MergeEngine.Merge(new MergeOptions
        {
            BaseModelDirectory = SamplePaths.ModelDir,
            Adapters = [new AdapterInput(SamplePaths.AdapterDir)],
            OutputDirectory = merged,
        });
        return merged;
    }

    [Fact]
    public void MergedLogitsEqualRuntimeLoraLogitsAndDifferFromTheBase()
    {
        var reference = ReferenceData.Load();
        using var weights = new SafetensorsWeights(Path.Combine(Merge(), "model.safetensors"));
        using var runtime = SampleModel.WithRuntimeLora();
        using var baseOnly = SampleModel.Base();
        var merged = new LlamaModel(runtime.Config, weights).LastLogits(reference.TokenIds);
        var unmerged = runtime.Model.LastLogits(reference.TokenIds);
        var plain = baseOnly.Model.LastLogits(reference.TokenIds);

        float maxDifference = 0, maxShift = 0;
        for (int i = 0; i < merged.Length; i++)
        {
            maxDifference = MathF.Max(maxDifference, MathF.Abs(merged[i] - unmerged[i]));
            maxShift = MathF.Max(maxShift, MathF.Abs(merged[i] - plain[i]));
        }
        output.WriteLine($"merged vs runtime LoRA: max |Δlogit| = {maxDifference:E2}; merged vs base: {maxShift:F3}");
        Assert.True(maxDifference <= 1e-4f, $"merged logits differ from runtime LoRA by {maxDifference}");
        ForwardPassTests.AssertClose(reference.LoraLogits, merged);
        Assert.True(maxShift > 0.5f, "the merged model's logits equal the base model's");
    }

    [Fact]
    public void MergedModelHasTheLowerHeldOutLoss()
    {
        var reference = ReferenceData.Load();
        using var weights = new SafetensorsWeights(Path.Combine(Merge(), "model.safetensors"));
        using var baseOnly = SampleModel.Base();
        var merged = new LlamaModel(baseOnly.Config, weights);
        double mergedLoss = 0;
        int count = 0;
        for (int start = 0; start + reference.HeldOutWindow + 1 <= reference.HeldOutBofhIds.Length; start += reference.HeldOutWindow)
        {
            mergedLoss += merged.MeanNextTokenLoss(reference.HeldOutBofhIds.AsSpan(start, reference.HeldOutWindow + 1)) * reference.HeldOutWindow;
            count += reference.HeldOutWindow;
        }
        mergedLoss /= count;
        double baseLoss = baseOnly.WindowedLoss(reference.HeldOutBofhIds, reference.HeldOutWindow);
        output.WriteLine($"held-out BOFH loss (nats/char): base {baseLoss:F4}, merged {mergedLoss:F4}");
        Assert.Equal(reference.HeldOutBofhLoraLoss, mergedLoss, 1e-3);
        Assert.True(baseLoss - mergedLoss >= RuntimeLoraTests.MinimumHeldOutGain, $"the merged model gained only {baseLoss - mergedLoss:F4} nats/char");
    }

    [Fact]
    public void PublishedSampleShipsTheMergedModelAndNothingOfTheAdapter()
    {
        string publish = Path.Combine(_temp, "publish");
        var (code, log) = Run("dotnet", SamplePaths.RepoRoot, "publish", "samples/AppWithAdapters", "-c", "Release", "-o", publish,
            "-nodeReuse:false", "-p:UseSharedCompilation=false");
        Assert.True(code == 0, log);

        Assert.True(File.Exists(Path.Combine(publish, "AppWithAdapters.dll")));
        // The runtime the generated class calls ships; the engine (Core, the tool) does not.
        Assert.True(File.Exists(Path.Combine(publish, "LoraMerge.Runtime.dll")));
        Assert.False(File.Exists(Path.Combine(publish, "LoraMerge.Core.dll")));
        Assert.False(File.Exists(Path.Combine(publish, "LoraMerge.Cli.dll")));
        string model = Path.Combine(publish, "models", "Bofh");
        Assert.True(File.Exists(Path.Combine(model, "lora-merge.json")));
        Assert.True(File.Exists(Path.Combine(model, "config.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Merge(), "model.safetensors")), File.ReadAllBytes(Path.Combine(model, "model.safetensors")));
        var files = Directory.GetFiles(publish, "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).ToArray();
        Assert.DoesNotContain(files, f => f.StartsWith("adapter_", StringComparison.Ordinal));
        Assert.DoesNotContain(files, f => f.Contains("LoraMerge.Tasks", StringComparison.Ordinal) || f.Contains("Generators", StringComparison.Ordinal));
        Assert.DoesNotContain("LoraMerge.Runtime.xml", files);

        Assert.True(File.Exists(Path.Combine(model, "model.gguf")));
        var (runCode, text) = Run(Path.Combine(publish, "AppWithAdapters"), publish, "BOFH excuse #", "--max-tokens", "40", "--temperature", "0");
        output.WriteLine(text);
        Assert.True(runCode == 0, text);
        Assert.StartsWith("BOFH excuse #", text);

        // The same merge run by llama.cpp from the GGUF of the same publish prints the same text.
        var (llamaCode, llamaText) = Run(Path.Combine(publish, "AppWithAdapters"), publish, "BOFH excuse #", "--max-tokens", "40", "--temperature", "0", "--engine", "llamasharp");
        Assert.True(llamaCode == 0, llamaText);
        Assert.Equal(text, llamaText);
    }

    [Fact]
    public void TrimmedSelfContainedPublishHasNoTrimOrAotWarningsAndRuns()
    {
        string publish = Path.Combine(_temp, "trimmed");
        var (code, log) = Run("dotnet", SamplePaths.RepoRoot, "publish", "samples/AppWithAdapters", "-c", "Release", "-r", "linux-x64",
            "--self-contained", "-o", publish, "-nodeReuse:false", "-p:UseSharedCompilation=false");
        Assert.True(code == 0, log);
        var trimWarnings = log.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"warning IL\d{4}")).ToArray();
        Assert.True(trimWarnings.Length == 0, string.Join('\n', trimWarnings));
        Assert.False(File.Exists(Path.Combine(publish, "System.Private.Xml.dll")), "the self-contained publish was not trimmed");

        var (runCode, text) = Run(Path.Combine(publish, "AppWithAdapters"), publish, "BOFH excuse #", "--max-tokens", "20", "--temperature", "0");
        Assert.True(runCode == 0, text);
        Assert.StartsWith("BOFH excuse #", text);
    }

    private static (int Code, string Output) Run(string file, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}
