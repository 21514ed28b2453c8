using AppWithAdapters.Inference;
using Xunit.Abstractions;

namespace LoraMerge.Sample.Tests;

public sealed class GenerationTests(ITestOutputHelper output)
{
    [Fact]
    public void GreedyDecodingFollowsTheArgmaxOfEachStep()
    {
        using var sample = SampleModel.Base();
        var generator = new TextGenerator(sample.Model, sample.Tokenizer);

        string text = generator.Generate("The ", 40, new Sampler(0f, seed: 0));
        output.WriteLine(text);

        int[] ids = [sample.Tokenizer.SeparatorId, .. sample.Tokenizer.Encode(text)];
        int promptLength = 1 + "The ".Length;
        Assert.True(ids.Length > promptLength, "nothing was generated");
        for (int i = promptLength; i < ids.Length; i++)
        {
            var logits = sample.Model.LastLogits(ids.AsSpan(0, i));
            Assert.Equal(System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits), ids[i]);
        }
    }

    [Fact]
    public void SamplingIsReproducibleForASeedAndVariesAcrossSeeds()
    {
        using var sample = SampleModel.Base();
        var generator = new TextGenerator(sample.Model, sample.Tokenizer);

        string a = generator.Generate("", 60, new Sampler(0.8f, seed: 7));
        string b = generator.Generate("", 60, new Sampler(0.8f, seed: 7));
        string c = generator.Generate("", 60, new Sampler(0.8f, seed: 8));
        output.WriteLine(a);
        output.WriteLine(c);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void SamplerAtTemperatureZeroPicksTheLargestLogit()
    {
        var sampler = new Sampler(0f, seed: 1);

        Assert.Equal(2, sampler.Next([0.1f, -3f, 5f, 4.9f]));
    }

    [Fact]
    public void TokenizerNormalisesTabsAndAccentsAndMapsTheRestToUnknown()
    {
        using var sample = SampleModel.Base();
        var tokenizer = sample.Tokenizer;

        Assert.Equal(98, tokenizer.VocabSize);
        Assert.Equal("a       b", tokenizer.Decode(tokenizer.Encode("a\tb")));
        Assert.Equal("cafe", tokenizer.Decode(tokenizer.Encode("caf\u00e9")));
        Assert.Equal([tokenizer.UnknownId], tokenizer.Encode("\u20ac"));
    }
}
