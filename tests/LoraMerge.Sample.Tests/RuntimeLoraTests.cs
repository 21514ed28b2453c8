using System.Numerics.Tensors;
using Xunit.Abstractions;

namespace LoraMerge.Sample.Tests;

public sealed class RuntimeLoraTests(ITestOutputHelper output)
{
    // export_reference.py measured base 2.1305 vs base+LoRA 1.4006 nats/char (gain 0.730); assert a little below.
    internal const double MinimumHeldOutGain = 0.65;

    [Fact]
    public void AdapterTargetsAllSevenProjectionsOfEveryLayer()
    {
        using var sample = SampleModel.WithRuntimeLora();
        var lora = sample.Lora!;

        Assert.Equal(8, lora.Rank);
        Assert.Equal(2f, lora.Scaling);
        Assert.Equal(7 * sample.Config.NumLayers, lora.Modules.Count);
        Assert.Contains("model.layers.0.self_attn.q_proj", lora.Modules);
        Assert.Contains($"model.layers.{sample.Config.NumLayers - 1}.mlp.down_proj", lora.Modules);
    }

    [Fact]
    public void UnmergedLoraLogitsMatchThePyTorchReferenceAndDifferFromTheBase()
    {
        var reference = ReferenceData.Load();
        using var withLora = SampleModel.WithRuntimeLora();
        using var baseOnly = SampleModel.Base();

        var loraLogits = withLora.Model.LastLogits(reference.TokenIds);
        var baseLogits = baseOnly.Model.LastLogits(reference.TokenIds);

        ForwardPassTests.AssertClose(reference.LoraLogits, loraLogits);
        Assert.Equal(reference.LoraArgmax, TensorPrimitives.IndexOfMax(loraLogits));
        float maxShift = 0;
        for (int i = 0; i < baseLogits.Length; i++)
        {
            maxShift = MathF.Max(maxShift, MathF.Abs(loraLogits[i] - baseLogits[i]));
        }

        output.WriteLine($"largest logit change from the adapter: {maxShift}");
        Assert.True(maxShift > 0.5f, $"the adapter moved no logit by more than {maxShift}");
    }

    [Fact]
    public void LoraLowersTheHeldOutBofhLoss()
    {
        var reference = ReferenceData.Load();
        using var withLora = SampleModel.WithRuntimeLora();
        using var baseOnly = SampleModel.Base();

        double baseLoss = baseOnly.WindowedLoss(reference.HeldOutBofhIds, reference.HeldOutWindow);
        double loraLoss = withLora.WindowedLoss(reference.HeldOutBofhIds, reference.HeldOutWindow);

        output.WriteLine($"held-out BOFH loss (nats/char): base {baseLoss:F4}, base+LoRA {loraLoss:F4}");
        Assert.Equal(reference.HeldOutBofhBaseLoss, baseLoss, 1e-3);
        Assert.Equal(reference.HeldOutBofhLoraLoss, loraLoss, 1e-3);
        Assert.True(baseLoss - loraLoss >= MinimumHeldOutGain,
            $"LoRA gained only {baseLoss - loraLoss:F4} nats/char (expected at least {MinimumHeldOutGain}).");
    }
}
