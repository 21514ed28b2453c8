using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using static LoraMerge.Core.Tests.Formats.SampleFiles;

namespace LoraMerge.Core.Tests.Formats;

/// <summary>An index whose JSON, shards or tensor names do not match its files fails with ShardIndex, naming the index.</summary>
public sealed class ShardIndexMalformedTests : IDisposable
{
    private readonly TempDirectory _temp = new("st-index");

    public ShardIndexMalformedTests()
    {
        Write(_temp.File("model-00001-of-00002.safetensors"), [Spec("a", DType.F32, 2), Spec("b", DType.BF16, 3)]);
        Write(_temp.File("model-00002-of-00002.safetensors"), [Spec("c", DType.F16, 4)]);
    }

    public void Dispose() => _temp.Dispose();

    private string IndexPath => _temp.File(ShardedCheckpoint.IndexFileName);

    private void AssertIndexFails(string json, string reason)
    {
        File.WriteAllText(IndexPath, json);
        RawSafetensors.AssertFails(() => ShardedCheckpoint.Open(_temp.Path), ErrorCodes.ShardIndex, reason, IndexPath);
    }

    private const string S1 = "model-00001-of-00002.safetensors";
    private const string S2 = "model-00002-of-00002.safetensors";

    [Fact]
    public void A_matching_index_opens() // the baseline the failures below break one thing of
    {
        File.WriteAllText(IndexPath, $$$"""{"metadata":{"total_size":26},"weight_map":{"a":"{{{S1}}}","b":"{{{S1}}}","c":"{{{S2}}}"}}""");
        var checkpoint = ShardedCheckpoint.Open(_temp.Path);
        Assert.Equal(3, checkpoint.AllTensors.Count());
    }

    [Fact]
    public void Index_that_is_not_JSON() => AssertIndexFails("{\"weight_map\": {", "index is not valid JSON");

    [Fact]
    public void Index_that_is_not_an_object() => AssertIndexFails("[]", "index is not a JSON object");

    [Fact]
    public void Index_without_weight_map() => AssertIndexFails("""{"metadata":{"total_size":26}}""", "index has no weight_map");

    [Fact]
    public void Weight_map_that_is_not_an_object() => AssertIndexFails("""{"weight_map":["a"]}""", "weight_map is not an object of strings");

    [Fact]
    public void Weight_map_value_that_is_not_a_string() => AssertIndexFails("""{"weight_map":{"a":1}}""", "weight_map value is not a string");

    [Fact]
    public void Weight_map_naming_a_tensor_twice() =>
        AssertIndexFails($$$"""{"weight_map":{"a":"{{{S1}}}","a":"{{{S1}}}","b":"{{{S1}}}","c":"{{{S2}}}"}}""", "weight_map names a tensor twice");

    [Fact]
    public void Empty_weight_map() => AssertIndexFails("""{"weight_map":{}}""", "weight_map is empty");

    [Fact]
    public void Missing_shard_file() =>
        AssertIndexFails($$$"""{"weight_map":{"a":"{{{S1}}}","b":"{{{S1}}}","c":"model-00003-of-00003.safetensors"}}""", "shard file is missing");

    [Theory]
    [InlineData("../model-00002-of-00002.safetensors")]
    [InlineData("sub/model.safetensors")]
    [InlineData("..")]
    [InlineData("")]
    public void Shard_that_is_not_a_plain_file_name(string shard) =>
        AssertIndexFails($$$"""{"weight_map":{"a":"{{{S1}}}","b":"{{{S1}}}","c":"{{{shard}}}"}}""", "shard is not a plain file name");

    [Fact]
    public void Shard_with_a_tensor_the_index_does_not_list() =>
        AssertIndexFails($$$"""{"weight_map":{"a":"{{{S1}}}","c":"{{{S2}}}"}}""", "shard has a tensor the index does not list");

    [Fact]
    public void Tensor_in_a_different_shard_than_the_index_says() =>
        AssertIndexFails($$$"""{"weight_map":{"a":"{{{S1}}}","b":"{{{S2}}}","c":"{{{S2}}}"}}""", "tensor is not in the shard the index names");

    [Fact]
    public void Index_listing_a_tensor_no_shard_has() =>
        AssertIndexFails($$$"""{"weight_map":{"a":"{{{S1}}}","b":"{{{S1}}}","c":"{{{S2}}}","d":"{{{S2}}}"}}""", "index lists a tensor its shard does not have");

    [Fact]
    public void Tensor_in_two_shards()
    {
        Write(_temp.File(S2), [Spec("c", DType.F16, 4), Spec("a", DType.F32, 2)]);
        AssertIndexFails($$$"""{"weight_map":{"a":"{{{S1}}}","b":"{{{S1}}}","c":"{{{S2}}}"}}""", "tensor is in two shards");
    }

    [Fact]
    public void Broken_shard_reports_the_shard_file()
    {
        File.WriteAllBytes(_temp.File(S2), [1, 2, 3]);
        File.WriteAllText(IndexPath, $$$"""{"weight_map":{"a":"{{{S1}}}","b":"{{{S1}}}","c":"{{{S2}}}"}}""");
        RawSafetensors.AssertFails(() => ShardedCheckpoint.Open(_temp.Path), ErrorCodes.HeaderLength,
            "file is shorter than the 8-byte length prefix", _temp.File(S2));
    }

    [Fact]
    public void Folder_without_weights_is_FileNotFound()
    {
        using var empty = new TempDirectory("st-empty");
        var ex = Assert.Throws<LoraException>(() => ShardedCheckpoint.Open(empty.Path));
        Assert.Equal(ErrorCodes.FileNotFound, ex.Code);
        Assert.Equal(empty.Path, ex.FilePath);
    }
}
