using System.Runtime.InteropServices;
using FsCheck;
using FsCheck.Fluent;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Formats;
using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

public sealed class MergePropertyTests
{
    // 12 cases in CI (ExploringPropertyTests explores shapes, ranks and weights); a tenth of LORAMERGE_PROPERTY_RUNS when
    // bench/properties-nightly.sh sets it.
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(
        Environment.GetEnvironmentVariable("LORAMERGE_PROPERTY_RUNS") is null ? 12 : Math.Max(12, ExploringPropertyTests.Runs / 10));

    [Fact]
    public void WeightZeroGivesTheBaseBytes()
    {
        Check.One(Runs, Prop.ForAll(Arb.From(Gen.Choose(1, 10_000)), Arb.From(Gen.Elements(DType.F32, DType.BF16, DType.F16)), (seed, dtype) =>
        {
            using var temp = new TempDirectory();
            string baseDir = SyntheticModels.WriteBase(temp.Path, dtype, seed);
            string adapter = SyntheticModels.WriteAdapter(temp.Path, "a", rank: 4, alpha: 8, seed + 1);
            string output = Path.Combine(temp.Path, "out");
            MergeEngine.Merge(new MergeOptions { BaseModelDirectory = baseDir, Adapters = [new AdapterInput(adapter, 0.0)], OutputDirectory = output });
            Assert.Equal(File.ReadAllBytes(Path.Combine(baseDir, "model.safetensors")), File.ReadAllBytes(Path.Combine(output, "model.safetensors")));
        }));
    }

    [Fact]
    public void MergingWThenMinusWReturnsTheBaseWithinRounding()
    {
        Check.One(Runs, Prop.ForAll(Arb.From(Gen.Choose(1, 10_000)), Arb.From(Gen.Elements(DType.F32, DType.BF16, DType.F16)), (seed, dtype) =>
        {
            using var temp = new TempDirectory();
            string baseDir = SyntheticModels.WriteBase(temp.Path, dtype, seed);
            string adapter = SyntheticModels.WriteAdapter(temp.Path, "a", rank: 4, alpha: 8, seed + 1);
            double w = 0.25 + seed % 7 * 0.25;
            string once = Path.Combine(temp.Path, "once");
            string back = Path.Combine(temp.Path, "back");
            MergeEngine.Merge(new MergeOptions { BaseModelDirectory = baseDir, Adapters = [new AdapterInput(adapter, w)], OutputDirectory = once });
            MergeEngine.Merge(new MergeOptions { BaseModelDirectory = once, Adapters = [new AdapterInput(adapter, -w)], OutputDirectory = back });

            var original = ReferenceMath.ReadAll(Path.Combine(baseDir, "model.safetensors"));
            var merged = ReferenceMath.ReadAll(Path.Combine(once, "model.safetensors"));
            var restored = ReferenceMath.ReadAll(Path.Combine(back, "model.safetensors"));
            foreach (var (name, values) in original)
                for (int i = 0; i < values.Length; i++)
                {
                    // Two roundings, each at most half an ulp of the larger operand.
                    double scale = Math.Max(Math.Abs(values[i]), Math.Abs(merged[name][i]));
                    Assert.True(Math.Abs(restored[name][i] - values[i]) <= ReferenceMath.Ulp(dtype, scale),
                        $"{name}[{i}]: {values[i]} -> {merged[name][i]} -> {restored[name][i]} ({dtype})");
                }
        }));
    }

    [Fact]
    public void TwoAdaptersInOneCallEqualTheSingleRoundingSum()
    {
        Check.One(Runs, Prop.ForAll(Arb.From(Gen.Choose(1, 10_000)), Arb.From(Gen.Elements(DType.F32, DType.BF16, DType.F16)), (seed, dtype) =>
        {
            using var temp = new TempDirectory();
            string baseDir = SyntheticModels.WriteBase(temp.Path, dtype, seed);
            string a = SyntheticModels.WriteAdapter(temp.Path, "a", rank: 4, alpha: 8, seed + 1);
            string b = SyntheticModels.WriteAdapter(temp.Path, "b", rank: 6, alpha: 3, seed + 2);
            string output = Path.Combine(temp.Path, "out");
            MergeEngine.Merge(new MergeOptions
            {
                BaseModelDirectory = baseDir,
                Adapters = [new AdapterInput(a, 0.7), new AdapterInput(b, -0.4)],
                OutputDirectory = output,
            });

            var expected = ReferenceMath.MergeLinear(Path.Combine(baseDir, "model.safetensors"),
                [(Path.Combine(a, "adapter_model.safetensors"), (float)(0.7 * 8 / 4)), (Path.Combine(b, "adapter_model.safetensors"), (float)(-0.4 * 3 / 6))]);
            using var actual = SafetensorsFile.Open(Path.Combine(output, "model.safetensors"));
            foreach (var t in actual.Header.Tensors)
                Assert.True(expected[t.Name].AsSpan().SequenceEqual(actual.GetBytes(t)), $"{t.Name} ({dtype}) differs from the single-rounding sum");
        }));
    }
}
