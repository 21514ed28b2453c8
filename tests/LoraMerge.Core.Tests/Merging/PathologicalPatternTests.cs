using System.Diagnostics;
using System.Text.Json.Nodes;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>Adapter configs that must be refused rather than merged: issue 17's pathological regex and missing targets.</summary>
public sealed class PathologicalPatternTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ABacktrackingPatternIsACodedErrorWithinSeconds()
    {
        var @case = MergeCase.Load("linear_bf16");
        string adapter = _temp.File("adapter");
        Directory.CreateDirectory(adapter);
        foreach (var file in Directory.GetFiles(@case.Adapters[0].Directory))
            File.Copy(file, Path.Combine(adapter, Path.GetFileName(file)));
        string configPath = Path.Combine(adapter, "adapter_config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["target_modules"] = @"(.|\w|\W)*Z";
        File.WriteAllText(configPath, config.ToJsonString());

        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<LoraException>(() => MergeEngine.Plan(@case.Options(_temp.File("out")) with { Adapters = [new AdapterInput(adapter)] }));

        Assert.Equal(ErrorCodes.InvalidAdapterValue, error.Code);
        Assert.Equal(configPath, error.FilePath);
        Assert.Contains("backtracks", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    /// <summary>Issue 17: an adapter without target_modules merged every module it had tensors for.</summary>
    [Fact]
    public void AnAdapterWithoutTargetModulesIsRefusedNotMergedEverywhere()
    {
        var @case = MergeCase.Load("linear_bf16");
        string adapter = _temp.File("adapter");
        Directory.CreateDirectory(adapter);
        foreach (var file in Directory.GetFiles(@case.Adapters[0].Directory))
            File.Copy(file, Path.Combine(adapter, Path.GetFileName(file)));
        string configPath = Path.Combine(adapter, "adapter_config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config.Remove("target_modules");
        File.WriteAllText(configPath, config.ToJsonString());

        var error = Assert.Throws<LoraException>(() => MergeEngine.Plan(@case.Options(_temp.File("out")) with { Adapters = [new AdapterInput(adapter)] }));

        Assert.Equal(ErrorCodes.InvalidAdapterValue, error.Code);
        Assert.Equal(configPath, error.FilePath);
        Assert.Contains("target_modules", error.Message);
    }
}
