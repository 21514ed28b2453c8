using System.Diagnostics;
using System.Text.Json;
using LoraMerge.Core.Tests.Merging;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Merging;
using LoraMerge.Merging.Cuda;
using LoraMerge.Provenance;

namespace LoraMerge.Core.Tests.Cuda;

/// <summary>The CUDA producer's host side (tiles, pipeline, routing, fallback) against an emulated device: same bytes as the CPU.</summary>
public sealed class EmulatedCudaMergeTests
{
    public static TheoryData<string, long> CasesAndSlotSizes()
    {
        var data = new TheoryData<string, long>();
        foreach (var row in (IEnumerable<object[]>)MergeCase.Valid())
        {
            data.Add((string)row[0], 4096);
            data.Add((string)row[0], 1 << 20);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CasesAndSlotSizes))]
    public void EmulatedDeviceWritesTheCpuBytes(string name, long slotBytes)
    {
        var @case = MergeCase.Load(name);
        using var temp = new TempDirectory();
        var options = @case.Options(temp.File("cpu")) with { Backend = MergeBackendKind.Cpu, Threads = 2 };
        MergeEngine.Merge(options);
        var device = new EmulatedCudaDevice();
        var budget = new CudaMemoryBudget(slotBytes, 1 << 20);

        MergeWith(options with { OutputDirectory = temp.File("cuda") }, MergeBackend.Cuda(device, budget));

        AssertSameTensorFiles(temp.File("cpu"), temp.File("cuda"));
        Assert.Equal(ReportTensors(temp.File("cpu")), ReportTensors(temp.File("cuda")));
        Assert.Equal("cuda", Report(temp.File("cuda")).GetProperty("options").GetProperty("backend").GetString());
        Assert.Equal(0, device.LiveAllocations);
        Assert.True(device.PeakDeviceBytes <= budget.DeviceBytes, $"peak {device.PeakDeviceBytes} over budget {budget.DeviceBytes}");
        bool anyPlainLora = Plan(options).Jobs.Any(CudaTensorProducer.CanRun);
        if (anyPlainLora && slotBytes > 4096)
            Assert.True(device.Launches > 0, "no tensor of this case ran on the emulated device");
    }

    [Fact]
    public void SmallSlotsSplitTensorsIntoManyTiles()
    {
        var @case = MergeCase.Load("linear_bf16");
        using var temp = new TempDirectory();
        var options = @case.Options(temp.File("cpu")) with { Backend = MergeBackendKind.Cpu };
        MergeEngine.Merge(options);
        var device = new EmulatedCudaDevice();
        int plainTensors = Plan(options).Jobs.Count(CudaTensorProducer.CanRun);

        MergeWith(options with { OutputDirectory = temp.File("cuda") }, MergeBackend.Cuda(device, new CudaMemoryBudget(2048, 1 << 20)));

        AssertSameTensorFiles(temp.File("cpu"), temp.File("cuda"));
        Assert.True(device.Launches > plainTensors, $"{device.Launches} launches for {plainTensors} tensors: nothing was tiled");
    }

    /// <summary>GGUF output fed by the CUDA producer's row tiles (4 KiB slots: many per tensor) equals the CPU's file.</summary>
    [Fact]
    public void GgufFromEmulatedDeviceTilesEqualsTheCpu()
    {
        using var temp = new TempDirectory();
        string sample = Path.Combine(Fixtures.RepoRoot, "samples", "AppWithAdapters");
        var options = new MergeOptions
        {
            BaseModelDirectory = Path.Combine(sample, "models", "tiny-llama"),
            Adapters = [new AdapterInput(Path.Combine(sample, "adapters", "bofh"))],
            OutputDirectory = temp.File("cpu"),
            Formats = OutputFormats.Gguf,
            GgufType = LoraMerge.Gguf.GgufTensorType.Q8_0,
            Backend = MergeBackendKind.Cpu,
            Threads = 2,
        };
        MergeEngine.Merge(options);
        var device = new EmulatedCudaDevice();

        MergeWith(options with { OutputDirectory = temp.File("cuda") }, MergeBackend.Cuda(device, new CudaMemoryBudget(4096, 1 << 20)));

        Assert.True(device.Launches > 30, $"{device.Launches} launches: the sample's projections were not tiled");
        Assert.True(File.ReadAllBytes(temp.File("cpu", "model.gguf")).AsSpan().SequenceEqual(File.ReadAllBytes(temp.File("cuda", "model.gguf"))),
            "model.gguf differs between the cpu and the emulated cuda backend");
    }

    [Fact]
    public void NonFiniteResultFailsWithTheCpuError()
    {
        var @case = MergeCase.Load(Path.Combine("invalid", "nan_in_lora_b"));
        using var temp = new TempDirectory();
        var options = @case.Options(temp.File("out"));
        var cpu = Assert.Throws<LoraException>(() => MergeEngine.Merge(options with { Backend = MergeBackendKind.Cpu }));
        var cuda = Assert.Throws<LoraException>(() =>
            MergeWith(options with { OutputDirectory = temp.File("cuda") }, MergeBackend.Cuda(new EmulatedCudaDevice(), new CudaMemoryBudget(4096, 1 << 20))));
        Assert.Equal(ErrorCodes.NonFiniteResult, cuda.Code);
        Assert.Equal(cpu.Message, cuda.Message);
    }

    [Fact]
    public void NonFiniteResultWithoutSafeMergeHasTheCpuNaNBits()
    {
        var @case = MergeCase.Load(Path.Combine("invalid", "nan_in_lora_b"));
        using var temp = new TempDirectory();
        var options = @case.Options(temp.File("cpu")) with { SafeMerge = false, Backend = MergeBackendKind.Cpu };
        MergeEngine.Merge(options);
        var device = new EmulatedCudaDevice();

        MergeWith(options with { OutputDirectory = temp.File("cuda") }, MergeBackend.Cuda(device, new CudaMemoryBudget(4096, 1 << 20)));

        AssertSameTensorFiles(temp.File("cpu"), temp.File("cuda"));
        Assert.True(device.Launches > 0);
    }

    [Fact]
    public void SkipPrefixPassesOnlyTheUnwrittenPart()
    {
        var seen = new List<(long, int)>();
        var write = CudaTensorProducer.SkipPrefix((offset, bytes) => seen.Add((offset, bytes.Length)), 100);
        write(0, new byte[50]);
        write(50, new byte[80]);
        write(130, new byte[10]);
        Assert.Equal([(100L, 30), (130L, 10)], seen);
    }

    private static MergePlan Plan(MergeOptions options) => MergeEngine.Plan(options);

    private static void MergeWith(MergeOptions options, MergeBackend backend)
    {
        var provenance = new MergeProvenance();
        var plan = MergePlanner.Create(options, null, provenance);
        using var output = OutputFolder.Create(options.OutputDirectory, options.Overwrite);
        using (backend)
            new MergeRun(plan, provenance, output, null, CancellationToken.None, Stopwatch.StartNew()).WriteAll(backend);
        output.Commit();
    }

    private static void AssertSameTensorFiles(string expectedFolder, string actualFolder)
    {
        var files = Directory.GetFiles(expectedFolder, "*.safetensors").Select(Path.GetFileName).Order().ToArray();
        Assert.NotEmpty(files);
        Assert.Equal(files, Directory.GetFiles(actualFolder, "*.safetensors").Select(Path.GetFileName).Order().ToArray());
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(expectedFolder, f!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actualFolder, f!))),
                $"{f} differs between the cpu and the emulated cuda backend");
    }

    private static JsonElement Report(string folder) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, MergeReport.FileName))).RootElement.Clone();

    private static string[] ReportTensors(string folder) =>
        Report(folder).GetProperty("tensors").EnumerateArray()
            .Select(t => $"{t.GetProperty("name").GetString()} {t.GetProperty("action").GetString()} {t.GetProperty("changedElements").GetInt64()} {t.GetProperty("maxAbsDelta").GetDouble():R}")
            .ToArray();
}
