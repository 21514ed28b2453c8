using System.Text.Json;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Merging;
using LoraMerge.Provenance;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>Preflight and run-time failures not covered by the committed invalid cases, and the warnings.</summary>
public sealed class MergeErrorTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _base;
    private readonly string _adapter;

    public MergeErrorTests()
    {
        _base = SyntheticModels.WriteBase(_temp.Path, DType.BF16, seed: 5);
        _adapter = SyntheticModels.WriteAdapter(_temp.Path, "adapter", rank: 4, alpha: 8, seed: 6);
    }

    public void Dispose() => _temp.Dispose();

    private MergeOptions Options(params AdapterInput[] adapters) => new()
    {
        BaseModelDirectory = _base,
        Adapters = adapters.Length == 0 ? [new AdapterInput(_adapter)] : adapters,
        OutputDirectory = _temp.File("out"),
    };

    private LoraException Fails(MergeOptions options, string code)
    {
        var e = Assert.ThrowsAny<LoraException>(() => MergeEngine.Merge(options));
        Assert.Equal(code, e.Code);
        Assert.False(Directory.Exists(options.OutputDirectory));
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetDirectoryName(Path.GetFullPath(options.OutputDirectory))!), d => Path.GetFileName(d).Contains(".tmp-"));
        return e;
    }

    [Fact]
    public void MissingBaseFolder()
    {
        var e = Fails(Options() with { BaseModelDirectory = _temp.File("nope") }, ErrorCodes.FileNotFound);
        Assert.Contains("nope", e.FilePath);
    }

    [Fact]
    public void MissingAdapterFolder()
    {
        var e = Fails(Options(new AdapterInput(_temp.File("no-adapter"))), ErrorCodes.FileNotFound);
        Assert.Contains("no-adapter", e.FilePath);
    }

    [Fact]
    public void MissingAdapterWeights()
    {
        File.Delete(Path.Combine(_adapter, "adapter_model.safetensors"));
        var e = Fails(Options(), ErrorCodes.AdapterWeightsMissing);
        Assert.StartsWith(_adapter, e.FilePath);
    }

    [Fact]
    public void TruncatedAdapterWeights()
    {
        string weights = Path.Combine(_adapter, "adapter_model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..^10]);
        var e = Fails(Options(), ErrorCodes.RangeOutsideFile);
        Assert.Equal(weights, e.FilePath);
    }

    [Fact]
    public void OutputFolderNotWritable()
    {
        // A regular file where the output's parent folder should be: fails for every user, root included.
        string parent = _temp.File("a-file");
        File.WriteAllText(parent, "");
        var e = Assert.ThrowsAny<LoraException>(() => MergeEngine.Merge(Options() with { OutputDirectory = Path.Combine(parent, "out") }));
        Assert.Equal(ErrorCodes.OutputNotWritable, e.Code);
        Assert.NotNull(e.FilePath);
    }

    [Fact]
    public void NotEnoughFreeSpaceIsCheckedBeforeWriting()
    {
        var e = Assert.Throws<LoraException>(() => FreeSpaceCheck.Ensure(_temp.File("out"), long.MaxValue / 4));
        Assert.Equal(ErrorCodes.InsufficientSpace, e.Code);
    }

    [Fact]
    public void DiskFullIsToldApartFromOtherWriteErrors()
    {
        var full = OutputErrors.From(new IOException("No space left on device", 28), "/x");
        var other = OutputErrors.From(new IOException("Permission denied", 13), "/x");
        Assert.Equal(ErrorCodes.DiskFull, full.Code);
        Assert.Equal(ErrorCodes.OutputNotWritable, other.Code);
    }

    [Fact]
    public void IntegerBaseTensorCannotBeTargeted()
    {
        string baseDir = Directory.CreateDirectory(_temp.File("intbase")).FullName;
        File.Copy(Path.Combine(_base, "config.json"), Path.Combine(baseDir, "config.json"));
        var specs = new[] { new TensorSpec("model.layers.0.self_attn.q_proj.weight", DType.I32, [SyntheticModels.Hidden, SyntheticModels.Hidden]) };
        using (var w = SafetensorsWriter.Create(Path.Combine(baseDir, "model.safetensors"), specs, null))
        {
            w.Write(0, 0, new byte[specs[0].ByteLength]);
            w.Commit();
        }
        string adapter = WriteAdapterFor(["q_proj"]);
        var e = Fails(Options(new AdapterInput(adapter)) with { BaseModelDirectory = baseDir }, ErrorCodes.UnsupportedDType);
        Assert.Contains("q_proj", e.Message);
    }

    [Fact]
    public void DoraCannotShareAModuleWithAnotherAdapter()
    {
        string dora = WriteAdapterFor(["q_proj"], dora: true);
        Fails(Options(new AdapterInput(dora), new AdapterInput(_adapter)), ErrorCodes.ConflictingAdapters);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NonFiniteWeightIsRejected(double weight) =>
        Fails(Options(new AdapterInput(_adapter, weight)), ErrorCodes.InvalidMergeOptions);

    [Fact]
    public void OutputCannotBeTheBaseFolder() =>
        Assert.Equal(ErrorCodes.InvalidMergeOptions,
            Assert.ThrowsAny<LoraException>(() => MergeEngine.Merge(Options() with { OutputDirectory = _base })).Code);

    [Fact]
    public void WeightZeroWarnsThatTheEffectRoundedAway()
    {
        var result = MergeEngine.Merge(Options(new AdapterInput(_adapter, 0.0)));
        Assert.Contains(result.Warnings, w => w.Code == ErrorCodes.EffectRoundedAway);
    }

    [Fact]
    public void FanInFanOutDisagreementWarns()
    {
        string adapter = WriteAdapterFor(["q_proj"], fanInFanOut: true);
        var result = MergeEngine.Merge(Options(new AdapterInput(adapter)));
        var warning = Assert.Single(result.Warnings, w => w.Code == ErrorCodes.FanInFanOutMismatch);
        Assert.Contains("fan_in_fan_out=true", warning.Message);
    }

    [Fact]
    public void BaseModelNameDisagreementWarns()
    {
        string adapter = WriteAdapterFor(["q_proj"], baseModelName: "meta-llama/Llama-3.2-1B");
        var config = Path.Combine(_base, "config.json");
        var json = File.ReadAllText(config).TrimEnd().TrimEnd('}') + ", \"_name_or_path\": \"Qwen/Qwen2.5-0.5B\"}";
        File.WriteAllText(config, json);
        var result = MergeEngine.Merge(Options(new AdapterInput(adapter)));
        Assert.Contains(result.Warnings, w => w.Code == ErrorCodes.BaseModelNameMismatch && w.Message.Contains("Llama-3.2-1B"));
    }

    [Fact]
    public void PissaInitialisedAdapterWarns()
    {
        var config = Path.Combine(_adapter, "adapter_config.json");
        File.WriteAllText(config, File.ReadAllText(config).TrimEnd().TrimEnd('}') + ", \"init_lora_weights\": \"pissa\"}");
        var result = MergeEngine.Merge(Options());
        var warning = Assert.Single(result.Warnings, w => w.Code == ErrorCodes.ModifiedBaseInitialisation);
        Assert.Equal(config, warning.FilePath);
    }

    [Fact]
    public void LoraMergeJsonRecordsInputsOutputsAndChanges()
    {
        var result = MergeEngine.Merge(Options());
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(result.OutputDirectory, MergeReport.FileName)));
        var root = doc.RootElement;
        Assert.Equal(64, root.GetProperty("fingerprint").GetString()!.Length);
        var outputs = root.GetProperty("outputs").EnumerateArray().ToArray();
        var weights = Assert.Single(outputs, o => o.GetProperty("path").GetString() == "model.safetensors");
        Assert.Equal(new FileInfo(Path.Combine(result.OutputDirectory, "model.safetensors")).Length, weights.GetProperty("size").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(result.OutputDirectory, "model.safetensors")))),
                     weights.GetProperty("sha256").GetString());
        var changed = root.GetProperty("tensors").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToArray();
        Assert.Equal(3, changed.Length);
        Assert.All(root.GetProperty("tensors").EnumerateArray(), t => Assert.True(t.GetProperty("changedElements").GetInt64() > 0));
        var input = Assert.Single(root.GetProperty("base").GetProperty("files").EnumerateArray(), f => f.GetProperty("path").GetString() == "model.safetensors");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(_base, "model.safetensors")))),
                     input.GetProperty("sha256").GetString());
    }

    [Fact]
    public void CancellationLeavesNothingAndKeepsAPreviousOutput()
    {
        MergeEngine.Merge(Options());
        string previous = File.ReadAllText(Path.Combine(_temp.File("out"), MergeReport.FileName));
        using var cts = new CancellationTokenSource();
        var progress = new Progress<MergeProgress>(_ => cts.Cancel());
        Assert.ThrowsAny<OperationCanceledException>(() =>
            MergeEngine.Merge(Options(new AdapterInput(_adapter, 0.5)), new SynchronousProgress(() => cts.Cancel()), cancellationToken: cts.Token));
        Assert.Equal(previous, File.ReadAllText(Path.Combine(_temp.File("out"), MergeReport.FileName)));
        Assert.DoesNotContain(Directory.GetDirectories(_temp.Path), d => Path.GetFileName(d).Contains(".tmp-"));
        _ = progress;
    }

    private sealed class SynchronousProgress(Action onReport) : IProgress<MergeProgress>
    {
        public void Report(MergeProgress value) => onReport();
    }

    private string WriteAdapterFor(string[] projections, bool dora = false, bool fanInFanOut = false, string? baseModelName = null)
    {
        string dir = Directory.CreateDirectory(_temp.File($"adapter-{Guid.NewGuid():N}")).FullName;
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["peft_type"] = "LORA",
            ["r"] = 2,
            ["lora_alpha"] = 4,
            ["target_modules"] = projections,
            ["use_dora"] = dora,
            ["fan_in_fan_out"] = fanInFanOut,
            ["base_model_name_or_path"] = baseModelName,
        }));
        var tensors = new List<(string, long[], float[])>();
        var random = new Random(7);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        foreach (var p in projections)
        {
            string module = $"base_model.model.model.layers.0.self_attn.{p}";
            tensors.Add(($"{module}.lora_A.weight", [2, SyntheticModels.Hidden], Values(2 * SyntheticModels.Hidden)));
            tensors.Add(($"{module}.lora_B.weight", [SyntheticModels.Hidden, 2], Values(2 * SyntheticModels.Hidden)));
            if (dora)
                tensors.Add(($"{module}.lora_magnitude_vector", [SyntheticModels.Hidden], Values(SyntheticModels.Hidden)));
        }
        SyntheticModels.WriteSafetensors(Path.Combine(dir, "adapter_model.safetensors"), DType.F32, tensors);
        return dir;
    }
}
