using FsCheck;
using FsCheck.Fluent;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>Properties of the combination types (PEFT's add_weighted_adapter) that hold whatever the values.</summary>
public sealed class CombinationPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(10);

    private static Gen<float[][]> Tensors(int count, int length) =>
        Gen.ArrayOf(Gen.Choose(-1000, 1000).Select(i => i / 997f), length).ArrayOf(count);

    [Fact]
    public void DareWithDensityOneIsItsUnprunedType()
    {
        Check.One(Runs, Prop.ForAll(Arb.From(Tensors(3, 40)), Arb.From(Gen.Choose(0, 1000)), (tensors, seed) =>
        {
            float[] weights = [0.5f, -1.25f, 2f];
            Assert.Equal(TensorCombiner.WeightedSum(tensors, weights),
                TensorCombiner.Combine(CombinationType.DareLinear, Copy(tensors), weights, 1.0, MajoritySignMethod.Total, i => new DareStream((ulong)seed, "m", i, "lora_A")));
            Assert.Equal(TensorCombiner.Combine(CombinationType.Ties, Copy(tensors), weights, 1.0, MajoritySignMethod.Frequency, _ => default),
                TensorCombiner.Combine(CombinationType.DareTies, Copy(tensors), weights, 1.0, MajoritySignMethod.Frequency, i => new DareStream((ulong)seed, "m", i, "lora_A")));
        }));
    }

    [Fact]
    public void TiesOfOneTensorWithDensityOneIsLinear()
    {
        Check.One(Runs, Prop.ForAll(Arb.From(Tensors(1, 50)), tensors =>
        {
            float[] weights = [1.75f];
            Assert.Equal(TensorCombiner.WeightedSum(tensors, weights),
                TensorCombiner.Combine(CombinationType.Ties, Copy(tensors), weights, 1.0, MajoritySignMethod.Total, _ => default));
        }));
    }

    [Fact]
    public void MagnitudePruningKeepsTheLargestIntDensityTimesN()
    {
        Check.One(Runs, Prop.ForAll(Arb.From(Tensors(1, 64)), Arb.From(Gen.Choose(0, 100)), (tensors, percent) =>
        {
            var t = tensors[0].Select((x, i) => x == 0 ? 1e-3f * (i + 1) : x).ToArray();
            double density = percent / 100.0;
            var pruned = (float[])t.Clone();
            TensorCombiner.PruneByMagnitude(pruned, density);
            int keep = density >= 1 ? t.Length : (int)(density * t.Length);
            Assert.Equal(keep, pruned.Count(x => x != 0));
            float smallestKept = pruned.Where(x => x != 0).Select(MathF.Abs).DefaultIfEmpty(float.PositiveInfinity).Min();
            Assert.All(t.Where((x, i) => pruned[i] == 0), x => Assert.True(MathF.Abs(x) <= smallestKept));
        }));
    }

    /// <summary>
    /// LoraMerge's own rule where equal magnitudes straddle the cut (torch.topk leaves it open; docs/merge-semantics.md):
    /// the lower flat index is kept. Pinned so that a change is noticed.
    /// </summary>
    [Fact]
    public void MagnitudePruningKeepsTheLowerIndexAmongEqualMagnitudesAtTheCut()
    {
        // keep int(0.5·6) = 3: 3 first, then two of the four 1s (indices 1 and 2, not 4 or 5); -0 and +0 tie.
        float[] t = [3f, -1f, 1f, 0.5f, 1f, -1f];
        TensorCombiner.PruneByMagnitude(t, 0.5);
        Assert.Equal([3f, -1f, 1f, 0f, 0f, -0f], t);
        Assert.True(float.IsNegative(t[5]), "a pruned negative value is -0, as torch's t * mask");

        // A run long enough that Array.Sort is not an insertion sort: equal magnitudes with random signs, keep 37 of 300.
        var random = new Random(5);
        var equal = Enumerable.Range(0, 300).Select(_ => random.Next(2) == 0 ? 0.25f : -0.25f).ToArray();
        var pruned = (float[])equal.Clone();
        TensorCombiner.PruneByMagnitude(pruned, 37.5 / 300);
        Assert.Equal(equal.Take(37), pruned.Take(37));
        Assert.All(pruned.Skip(37), x => Assert.Equal(0f, x));

        // NaN is the largest magnitude (as in topk) and NaNs tie: the first two of three are kept.
        float[] nan = [1f, float.NaN, 2f, float.NaN, float.NaN];
        TensorCombiner.PruneByMagnitude(nan, 0.4);
        Assert.True(float.IsNaN(nan[1]) && float.IsNaN(nan[3]));
        Assert.Equal([0f, 0f], new[] { nan[0], nan[2] });
        Assert.True(float.IsNaN(nan[4]), "NaN · 0 stays NaN, as in torch");
    }

    [Fact]
    public void DareKeepsAboutDensityOfTheValuesAndRescalesThem()
    {
        var t = Enumerable.Repeat(1f, 100_000).ToArray();
        TensorCombiner.PruneRandomly(t, 0.3, new DareStream(42, "model.layers.0.self_attn.q_proj", 0, "lora_A"));
        int kept = t.Count(x => x != 0);
        Assert.InRange(kept, 29_500, 30_500);
        Assert.All(t.Where(x => x != 0), x => Assert.Equal(1f / 0.3f, x));
    }

    [Fact]
    public void SvdOfAProductWithFullRankReproducesIt()
    {
        Check.One(Runs, Prop.ForAll(Arb.From(Gen.Choose(1, 10_000)), seed =>
        {
            var random = new Random(seed);
            int rows = random.Next(3, 30), k = random.Next(1, 9), columns = random.Next(3, 30);
            var left = Enumerable.Range(0, rows * k).Select(_ => random.NextDouble() - 0.5).ToArray();
            var right = Enumerable.Range(0, k * columns).Select(_ => random.NextDouble() - 0.5).ToArray();
            var product = DenseSvd.Multiply(left, right, rows, k, columns);
            var (l, r, rank) = LowRankSvd.OfProduct(left, right, rows, k, columns, k + 3);
            Assert.Equal(Math.Min(k, Math.Min(rows, columns)), rank);
            AssertClose(product, l, r, rows, rank, columns, 1e-5);
            var (ml, mr, mrank) = LowRankSvd.OfMatrix(product.Select(x => (float)x).ToArray(), rows, columns, Math.Max(rows, columns));
            AssertClose(product, ml, mr, rows, mrank, columns, 1e-5);
        }));
    }

    [Fact]
    public void SvdTruncationKeepsTheLargestSingularValues()
    {
        // diag(5, 3, 1) rotated by nothing: rank 2 keeps 5 and 3.
        double[] m = [5, 0, 0, 0, 3, 0, 0, 0, 1];
        var (l, r, rank) = LowRankSvd.OfMatrix(m.Select(x => (float)x).ToArray(), 3, 3, 2);
        Assert.Equal(2, rank);
        var product = DenseSvd.Multiply(l.Select(x => (double)x).ToArray(), r.Select(x => (double)x).ToArray(), 3, 2, 3);
        Assert.Equal(5, product[0], 5);
        Assert.Equal(3, product[4], 5);
        Assert.Equal(0, product[8], 5);
    }

    [Fact]
    public void WithOneAdapterEveryTypeIsLinear()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(4), Prop.ForAll(Arb.From(Gen.Choose(1, 10_000)), Arb.From(Gen.Elements(DType.F32, DType.BF16)), (seed, dtype) =>
        {
            using var temp = new TempDirectory();
            string baseDir = SyntheticModels.WriteBase(temp.Path, dtype, seed);
            string adapter = SyntheticModels.WriteAdapter(temp.Path, "a", rank: 4, alpha: 8, seed + 1);
            byte[] Merge(string name, AdapterCombination combination)
            {
                string output = Path.Combine(temp.Path, name);
                MergeEngine.Merge(new MergeOptions { BaseModelDirectory = baseDir, Adapters = [new AdapterInput(adapter, 0.6)], OutputDirectory = output, Combination = combination });
                return File.ReadAllBytes(Path.Combine(output, "model.safetensors"));
            }
            var linear = Merge("linear", new AdapterCombination(CombinationType.Linear));
            Assert.Equal(linear, Merge("ties", new AdapterCombination(CombinationType.Ties, Density: 0.2)));
            Assert.Equal(linear, Merge("svd", new AdapterCombination(CombinationType.Svd, SvdRank: 1)));
        }));
    }

    [Fact]
    public void FactorTypesRefuseAdaptersOfDifferentRanks()
    {
        using var temp = new TempDirectory();
        var error = Assert.Throws<LoraException>(() => MergeEngine.Merge(Options("mixed", temp.File("out"), new AdapterCombination(CombinationType.Linear))));
        Assert.Equal(ErrorCodes.CombinationRankMismatch, error.Code);
        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Fact]
    public void RegexAndListTargetModulesAreNotCombined()
    {
        using var temp = new TempDirectory();
        string b = temp.File("b");
        Directory.CreateDirectory(b);
        File.Copy(Fixtures.Path("combination", "inputs", "equal", "b", "adapter_model.safetensors"), Path.Combine(b, "adapter_model.safetensors"));
        string config = File.ReadAllText(Fixtures.Path("combination", "inputs", "equal", "b", "adapter_config.json"));
        int start = config.IndexOf("\"target_modules\": [", StringComparison.Ordinal);
        int end = config.IndexOf(']', start);
        File.WriteAllText(Path.Combine(b, "adapter_config.json"),
            config[..start] + "\"target_modules\": \".*\\\\.(q_proj|down_proj|embed_tokens)\"" + config[(end + 1)..]);
        var options = Options("equal", temp.File("out"), new AdapterCombination(CombinationType.Cat));
        options = options with { Adapters = [options.Adapters[0], new AdapterInput(b, -0.4)] };
        var error = Assert.Throws<LoraException>(() => MergeEngine.Merge(options));
        Assert.Equal(ErrorCodes.CombinationTargetModulesMismatch, error.Code);
    }

    [Fact]
    public void PruningTypesNeedADensity()
    {
        using var temp = new TempDirectory();
        var error = Assert.Throws<LoraException>(() => MergeEngine.Merge(Options("equal", temp.File("out"), new AdapterCombination(CombinationType.DareTies))));
        Assert.Equal(ErrorCodes.InvalidMergeOptions, error.Code);
    }

    [Fact]
    public void TheRequestCarriesTheCombination()
    {
        var options = new MergeOptions
        {
            BaseModelDirectory = "b", Adapters = [new AdapterInput("a")], OutputDirectory = "o",
            Combination = new AdapterCombination(CombinationType.DareTiesSvd, 0.25, MajoritySignMethod.Frequency, 7, ulong.MaxValue),
        };
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
            LoraMerge.Requests.MergeOptionsJson.Write(json, options);
        using var doc = System.Text.Json.JsonDocument.Parse(buffer.ToArray());
        Assert.Equal(options.Combination, LoraMerge.Requests.MergeOptionsJson.Read(doc.RootElement, "request.json").Combination);
    }

    private static MergeOptions Options(string set, string output, AdapterCombination combination) => new()
    {
        BaseModelDirectory = Fixtures.Path("combination", "inputs", "llama_f32"),
        Adapters = [new AdapterInput(Fixtures.Path("combination", "inputs", set, "a"), 0.7), new AdapterInput(Fixtures.Path("combination", "inputs", set, "b"), -0.4)],
        OutputDirectory = output,
        Combination = combination,
    };

    private static float[][] Copy(float[][] tensors) => tensors.Select(t => (float[])t.Clone()).ToArray();

    private static void AssertClose(double[] expected, float[] left, float[] right, int rows, int rank, int columns, double relative)
    {
        var actual = DenseSvd.Multiply(left.Select(x => (double)x).ToArray(), right.Select(x => (double)x).ToArray(), rows, rank, columns);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"element {i}: {actual[i]} vs {expected[i]}");
    }
}
