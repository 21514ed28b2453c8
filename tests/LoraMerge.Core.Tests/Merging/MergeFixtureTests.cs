using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Merging;
using LoraMerge.Provenance;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>Every committed case against expected outputs from the independent Python reference (tests/fixtures/merge/generate.py).</summary>
public sealed class MergeFixtureTests
{
    [Theory]
    [MemberData(nameof(MergeCase.Valid), MemberType = typeof(MergeCase))]
    public void MergeMatchesTheReference(string name)
    {
        var @case = MergeCase.Load(name);
        using var temp = new TempDirectory();
        string output = temp.File("out");
        MergeEngine.Merge(@case.Options(output));
        AssertMatches(@case, @case.ExpectedDirectory, output);
    }

    [Theory]
    [MemberData(nameof(MergeCase.Valid), MemberType = typeof(MergeCase))]
    public void PeftRoundingMatchesTheReferenceWithPeftsRoundingPoints(string name)
    {
        var @case = MergeCase.Load(name);
        using var temp = new TempDirectory();
        string output = temp.File("out");
        MergeEngine.Merge(@case.Options(output) with { Rounding = MergeRounding.Peft });
        AssertMatches(@case, @case.ExpectedWithPeftRoundingDirectory, output);
    }

    private static void AssertMatches(MergeCase @case, string expectedDirectory, string output)
    {
        string name = @case.Name;
        var expectedFiles = Directory.GetFiles(expectedDirectory, "*.safetensors").Select(Path.GetFileName).Order().ToArray();
        var actualFiles = Directory.GetFiles(output, "*.safetensors").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(expectedFiles, actualFiles);

        var changed = @case.ChangedTensors.ToHashSet();
        foreach (var file in expectedFiles)
        {
            using var expected = SafetensorsFile.Open(Path.Combine(expectedDirectory, file!));
            using var actual = SafetensorsFile.Open(Path.Combine(output, file!));
            Assert.Equal(expected.Header.Tensors.Select(t => (t.Name, t.DType, string.Join(",", t.Shape))),
                         actual.Header.Tensors.Select(t => (t.Name, t.DType, string.Join(",", t.Shape))));
            foreach (var t in expected.Header.Tensors)
            {
                var e = expected.GetBytes(t);
                var a = actual.GetBytes(actual.Header.Find(t.Name)!);
                if (!changed.Contains(t.Name) || @case.Comparison == "exact")
                {
                    Assert.True(e.SequenceEqual(a), $"{name}: tensor {t.Name} differs from the reference ({FirstDifference(t.DType, e, a)})");
                    continue;
                }
                AssertWithinOneUlp(name, t, e, a);
            }
        }
        // config.json and every other file beside the weights equal the expected folder's, byte for byte (issue 18: the
        // existence of config.json alone let a merge that writes a wrong one, or drops the companions, pass).
        var expectedOthers = Directory.GetFiles(expectedDirectory).Select(Path.GetFileName)
            .Where(f => !f!.EndsWith(".safetensors", StringComparison.Ordinal) && !f.EndsWith(".index.json", StringComparison.Ordinal)).Order().ToArray();
        Assert.Contains("config.json", expectedOthers);
        foreach (var file in expectedOthers)
            Assert.True(File.ReadAllBytes(Path.Combine(expectedDirectory, file!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(output, file!))),
                $"{name}: {file} differs from the expected one");
        var actualOthers = Directory.GetFiles(output).Select(Path.GetFileName)
            .Where(f => !f!.EndsWith(".safetensors", StringComparison.Ordinal) && !f.EndsWith(".index.json", StringComparison.Ordinal) && f != MergeReport.FileName)
            .Order().ToArray();
        Assert.Equal(expectedOthers, actualOthers);
        Assert.True(File.Exists(Path.Combine(output, MergeReport.FileName)));
    }

    [Theory]
    [MemberData(nameof(MergeCase.Invalid), MemberType = typeof(MergeCase))]
    public void InvalidInputFailsWithItsCodeAndLeavesNothing(string name)
    {
        var @case = MergeCase.Load(name);
        using var temp = new TempDirectory();
        string output = temp.File("out");
        var error = Assert.ThrowsAny<LoraException>(() => MergeEngine.Merge(@case.Options(output)));
        Assert.Equal(@case.ExpectedError, error.Code);
        Assert.NotNull(error.FilePath);
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void SameInputsGiveByteIdenticalOutputs()
    {
        var @case = MergeCase.Load("two_adapters_weighted_bf16");
        using var temp = new TempDirectory();
        MergeEngine.Merge(@case.Options(temp.File("one")) with { Threads = 1 });
        MergeEngine.Merge(@case.Options(temp.File("two")) with { Threads = 2 });
        var files = Directory.GetFiles(temp.File("one")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(files, Directory.GetFiles(temp.File("two")).Select(Path.GetFileName).Order().ToArray());
        foreach (var f in files)
            Assert.Equal(File.ReadAllBytes(temp.File("one", f!)), File.ReadAllBytes(temp.File("two", f!)));
    }

    private static void AssertWithinOneUlp(string name, TensorInfo t, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        int size = DTypes.SizeOf(t.DType);
        for (int i = 0; i < expected.Length / size; i++)
        {
            long e = OrderedBits(expected.Slice(i * size, size));
            long a = OrderedBits(actual.Slice(i * size, size));
            Assert.True(Math.Abs(e - a) <= 1, $"{name}: {t.Name}[{i}] is more than 1 ulp from the reference");
        }
    }

    /// <summary>Maps a float's bits to an integer line where neighbouring floats differ by one.</summary>
    private static long OrderedBits(ReadOnlySpan<byte> bytes)
    {
        long bits = bytes.Length == 4 ? BitConverter.ToUInt32(bytes) : BitConverter.ToUInt16(bytes);
        long signBit = bytes.Length == 4 ? 1L << 31 : 1L << 15;
        return (bits & signBit) != 0 ? -(bits & (signBit - 1)) : bits;
    }

    private static string FirstDifference(DType dtype, ReadOnlySpan<byte> e, ReadOnlySpan<byte> a)
    {
        int size = DTypes.SizeOf(dtype);
        int count = 0, first = -1;
        for (int i = 0; i < e.Length / size; i++)
            if (!e.Slice(i * size, size).SequenceEqual(a.Slice(i * size, size)))
            {
                count++;
                if (first < 0)
                    first = i;
            }
        return count == 0 ? "lengths differ" : $"{count} elements differ, first at {first}";
    }
}
