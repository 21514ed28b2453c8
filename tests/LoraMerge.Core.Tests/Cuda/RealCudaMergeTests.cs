using System.Diagnostics;
using LoraMerge.Core.Tests.Merging;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Merging;
using LoraMerge.Merging.Cuda;
using LoraMerge.Provenance;

namespace LoraMerge.Core.Tests.Cuda;

/// <summary>On a machine with a CUDA device: every committed case merged on the GPU equals the CPU's bytes.</summary>
public sealed class RealCudaMergeTests
{
    [CudaFact]
    public void EveryCaseMergedOnTheGpuEqualsTheCpu()
    {
        foreach (var row in (IEnumerable<object[]>)MergeCase.Valid())
        {
            var @case = MergeCase.Load((string)row[0]);
            using var temp = new TempDirectory();
            MergeEngine.Merge(@case.Options(temp.File("cpu")) with { Backend = MergeBackendKind.Cpu });
            var info = new List<string>();
            MergeEngine.Merge(@case.Options(temp.File("cuda")) with { Backend = MergeBackendKind.Cuda }, onInfo: info.Add);
            Assert.Single(info);
            AssertSameTensorFiles(@case.Name, temp.File("cpu"), temp.File("cuda"));
        }
    }

    /// <summary>Slots of 4 KiB cut every tensor into many row tiles, so the two-slot pipeline really alternates on the device.</summary>
    [CudaFact]
    public void EveryCaseInSmallTilesOnTheGpuEqualsTheCpu()
    {
        foreach (var row in (IEnumerable<object[]>)MergeCase.Valid())
        {
            var @case = MergeCase.Load((string)row[0]);
            using var temp = new TempDirectory();
            var options = @case.Options(temp.File("cpu")) with { Backend = MergeBackendKind.Cpu };
            MergeEngine.Merge(options);
            MergeOnDevice(options with { OutputDirectory = temp.File("cuda") }, new CudaMemoryBudget(4096, 1 << 20));
            AssertSameTensorFiles(@case.Name, temp.File("cpu"), temp.File("cuda"));
        }
    }

    [CudaFact]
    public void NonFiniteResultOnTheGpuFailsWithTheCpuError()
    {
        var @case = MergeCase.Load(Path.Combine("invalid", "nan_in_lora_b"));
        using var temp = new TempDirectory();
        var options = @case.Options(temp.File("out"));
        var cpu = Assert.Throws<LoraException>(() => MergeEngine.Merge(options with { Backend = MergeBackendKind.Cpu }));
        var cuda = Assert.Throws<LoraException>(() => MergeEngine.Merge(options with { OutputDirectory = temp.File("cuda"), Backend = MergeBackendKind.Cuda }));
        Assert.Equal(ErrorCodes.NonFiniteResult, cuda.Code);
        Assert.Equal(cpu.Message, cuda.Message);
    }

    [CudaFact]
    public void NonFiniteResultWithoutSafeMergeHasTheCpuNaNBitsOnTheGpu()
    {
        var @case = MergeCase.Load(Path.Combine("invalid", "nan_in_lora_b"));
        using var temp = new TempDirectory();
        var options = @case.Options(temp.File("cpu")) with { SafeMerge = false, Backend = MergeBackendKind.Cpu };
        MergeEngine.Merge(options);
        MergeOnDevice(options with { OutputDirectory = temp.File("cuda") }, new CudaMemoryBudget(4096, 1 << 20));
        AssertSameTensorFiles(@case.Name, temp.File("cpu"), temp.File("cuda"));
    }

    /// <summary>The sample merged to GGUF (q8_0, with its reordered q/k rows) from GPU-merged rows equals the CPU's file.</summary>
    [CudaFact]
    public void GgufFromTheGpuEqualsTheCpu()
    {
        using var temp = new TempDirectory();
        string sample = Path.Combine(Fixtures.RepoRoot, "samples", "AppWithAdapters");
        var options = new MergeOptions
        {
            BaseModelDirectory = Path.Combine(sample, "models", "tiny-llama"),
            Adapters = [new AdapterInput(Path.Combine(sample, "adapters", "bofh"))],
            OutputDirectory = temp.File("cpu"),
            Formats = OutputFormats.Safetensors | OutputFormats.Gguf,
            GgufType = LoraMerge.Gguf.GgufTensorType.Q8_0,
            Backend = MergeBackendKind.Cpu,
        };
        MergeEngine.Merge(options);
        MergeEngine.Merge(options with { OutputDirectory = temp.File("cuda"), Backend = MergeBackendKind.Cuda });
        Assert.True(File.ReadAllBytes(temp.File("cpu", "model.gguf")).AsSpan().SequenceEqual(File.ReadAllBytes(temp.File("cuda", "model.gguf"))),
            "model.gguf differs between cpu and cuda");
        AssertSameTensorFiles("sample", temp.File("cpu"), temp.File("cuda"));
    }

    private static void MergeOnDevice(MergeOptions options, CudaMemoryBudget budget)
    {
        var probe = CudaDevices.Open();
        Assert.True(probe.Device is not null, probe.Failure);
        var provenance = new MergeProvenance();
        var plan = MergePlanner.Create(options, null, provenance);
        using var output = OutputFolder.Create(options.OutputDirectory, options.Overwrite);
        using (var backend = MergeBackend.Cuda(probe.Device!, budget))
            new MergeRun(plan, provenance, output, null, CancellationToken.None, Stopwatch.StartNew()).WriteAll(backend);
        output.Commit();
    }

    private static void AssertSameTensorFiles(string caseName, string cpuFolder, string cudaFolder)
    {
        var files = Directory.GetFiles(cpuFolder, "*.safetensors");
        Assert.NotEmpty(files);
        foreach (var file in files)
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(cudaFolder, Path.GetFileName(file)))),
                $"{caseName}: {Path.GetFileName(file)} differs between cpu and cuda");
    }
}
