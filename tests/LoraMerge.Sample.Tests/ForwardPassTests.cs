using System.Numerics.Tensors;
using Xunit.Abstractions;

namespace LoraMerge.Sample.Tests;

public sealed class ForwardPassTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-4f;

    [Fact]
    public void BaseLogitsMatchThePyTorchReference()
    {
        var reference = ReferenceData.Load();
        using var sample = SampleModel.Base();

        var logits = sample.Model.LastLogits(reference.TokenIds);

        Assert.Equal(reference.BaseLogits.Length, logits.Length);
        output.WriteLine($"largest |C# - PyTorch| logit difference: {MaxAbsDifference(reference.BaseLogits, logits)}");
        AssertClose(reference.BaseLogits, logits);
        Assert.Equal(reference.BaseArgmax, TensorPrimitives.IndexOfMax(logits));
    }

    [Fact]
    public void PromptEncodesToTheReferenceTokenIds()
    {
        var reference = ReferenceData.Load();
        using var sample = SampleModel.Base();

        int[] ids = [sample.Tokenizer.SeparatorId, .. sample.Tokenizer.Encode(reference.Prompt)];

        Assert.Equal(reference.TokenIds, ids);
        Assert.Equal(reference.Prompt, sample.Tokenizer.Decode(ids));
    }

    [Fact]
    public void KvCacheGivesTheSameLogitsAsAFreshPassAtEveryPosition()
    {
        var reference = ReferenceData.Load();
        using var sample = SampleModel.Base();
        var session = sample.Model.CreateSession();

        for (int i = 0; i < reference.TokenIds.Length; i++)
        {
            var incremental = session.Append(reference.TokenIds[i]).ToArray();
            var fresh = sample.Model.LastLogits(reference.TokenIds.AsSpan(0, i + 1));
            Assert.Equal(fresh, incremental);
        }
    }

    internal static float MaxAbsDifference(float[] a, float[] b) => MathF.Abs(TensorPrimitives.MaxMagnitude(
        a.Zip(b, (x, y) => x - y).ToArray()));

    internal static void AssertClose(float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            float diff = MathF.Abs(expected[i] - actual[i]);
            Assert.True(diff <= Tolerance, $"logit {i}: expected {expected[i]}, got {actual[i]} (|diff| {diff})");
        }
    }
}
