using System.Text;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using static LoraMerge.Core.Tests.Formats.SampleFiles;

namespace LoraMerge.Core.Tests.Formats;

public sealed class ShardLayoutTests : IDisposable
{
    private readonly TempDirectory _temp = new("st-shards");

    public void Dispose() => _temp.Dispose();

    private static TensorSpec Bytes(string name, long n) => Spec(name, DType.U8, n);

    private static string Names(IReadOnlyList<IReadOnlyList<TensorSpec>> shards) =>
        string.Join(" | ", shards.Select(s => string.Join(",", s.Select(t => t.Name))));

    [Fact]
    public void New_shard_starts_when_the_next_tensor_would_exceed_the_budget()
    {
        var shards = ShardLayout.ByByteBudget([Bytes("a", 4), Bytes("b", 6), Bytes("c", 1), Bytes("d", 10), Bytes("e", 3)], 10);
        Assert.Equal("a,b | c | d | e", Names(shards));
    }

    [Fact]
    public void Tensor_larger_than_the_budget_gets_its_own_shard()
    {
        var shards = ShardLayout.ByByteBudget([Bytes("a", 2), Bytes("big", 50), Bytes("c", 2), Bytes("d", 3)], 8);
        Assert.Equal("a | big | c,d", Names(shards));
    }

    [Fact]
    public void Everything_within_the_budget_is_one_shard_and_nothing_is_one_empty_shard()
    {
        Assert.Equal("a,b", Names(ShardLayout.ByByteBudget([Bytes("a", 5), Bytes("b", 5)], 10)));
        Assert.Empty(Assert.Single(ShardLayout.ByByteBudget([], 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardLayout.ByByteBudget([Bytes("a", 1)], 0));
    }

    [Theory]
    [InlineData(1, 1, "model.safetensors")]
    [InlineData(1, 3, "model-00001-of-00003.safetensors")]
    [InlineData(3, 3, "model-00003-of-00003.safetensors")]
    [InlineData(12, 100000, "model-00012-of-100000.safetensors")]
    public void Shard_file_names(int index, int count, string expected) =>
        Assert.Equal(expected, ShardLayout.ShardFileName(index, count));

    [Fact]
    public void Index_is_deterministic_json_like_transformers_writes()
    {
        var map = new Dictionary<string, string> { ["z"] = "model-00002-of-00002.safetensors", ["a"] = "model-00001-of-00002.safetensors" };
        var path = _temp.File("model.safetensors.index.json");
        ShardLayout.WriteIndex(path, 1234, map, new Dictionary<string, string> { ["format"] = "pt", ["total_size"] = "ignored" });
        const string expected = """
            {
              "metadata": {
                "format": "pt",
                "total_size": 1234
              },
              "weight_map": {
                "a": "model-00001-of-00002.safetensors",
                "z": "model-00002-of-00002.safetensors"
              }
            }

            """;
        Assert.Equal(expected, File.ReadAllText(path, Encoding.UTF8));
        Assert.Single(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void Sharded_output_with_an_index_opens_as_a_checkpoint_and_mirrors_back()
    {
        TensorSpec[] specs = [Spec("w1", DType.F32, 4), Spec("w2", DType.F32, 4), Spec("w3", DType.BF16, 8), Spec("w4", DType.F16, 2)];
        var shards = ShardLayout.ByByteBudget(specs, 32);
        Assert.Equal(2, shards.Count);
        var weightMap = new Dictionary<string, string>();
        for (var s = 0; s < shards.Count; s++)
        {
            var name = ShardLayout.ShardFileName(s + 1, shards.Count);
            Write(_temp.File(name), shards[s], new Dictionary<string, string> { ["format"] = "pt" });
            foreach (var t in shards[s]) weightMap[t.Name] = name;
        }
        ShardLayout.WriteIndex(_temp.File(ShardedCheckpoint.IndexFileName), specs.Sum(s => s.ByteLength), weightMap, null);

        var checkpoint = ShardedCheckpoint.Open(_temp.Path);
        Assert.Equal(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"], checkpoint.ShardPaths.Select(Path.GetFileName));
        Assert.Equal(specs.Select(s => s.Name), checkpoint.AllTensors.Select(t => t.Tensor.Name));
        Assert.Equal("52", checkpoint.IndexMetadata["total_size"]);
        Assert.Equal(checkpoint.Shards[1], checkpoint.Find("w3").Shard);
        Assert.True(checkpoint.TryFind("w1", out var shard, out var tensor));
        Assert.Equal((checkpoint.Shards[0], 0L), (shard, tensor.DataOffset));
        Assert.False(checkpoint.TryFind("nope", out _, out _));

        var mirrored = ShardLayout.Mirror(checkpoint);
        Assert.Equal(Names(shards), Names(mirrored));
        Assert.Equal(shards.SelectMany(s => s).Select(s => s.ByteLength), mirrored.SelectMany(s => s).Select(s => s.ByteLength));
    }

    [Fact]
    public void Single_file_checkpoint_and_missing_tensor()
    {
        Write(_temp.File("model.safetensors"), [Spec("only", DType.I8, 3)]);
        var checkpoint = ShardedCheckpoint.Open(_temp.Path);
        Assert.Null(checkpoint.IndexPath);
        Assert.Equal([_temp.File("model.safetensors")], checkpoint.ShardPaths);
        Assert.Empty(checkpoint.IndexMetadata);
        var ex = Assert.Throws<LoraException>(() => checkpoint.Find("absent"));
        Assert.Equal(ErrorCodes.TensorNotFound, ex.Code);
        Assert.Contains("'absent'", ex.Message);
        Assert.Equal(_temp.File("model.safetensors"), ex.FilePath);
    }
}
