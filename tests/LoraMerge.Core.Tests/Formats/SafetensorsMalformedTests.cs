using System.Text;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using static LoraMerge.Core.Tests.Formats.RawSafetensors;

namespace LoraMerge.Core.Tests.Formats;

/// <summary>Each malformed file fails with its own code and reason, naming the file (and the tensor where there is one).</summary>
public sealed class SafetensorsMalformedTests : IDisposable
{
    private readonly TempDirectory _temp = new("st-malformed");

    public void Dispose() => _temp.Dispose();

    /// <summary>Both entry points must reject a file in the same way.</summary>
    public static TheoryData<string> Readers => new() { "header", "mapped" };

    private static void Open(string reader, string path)
    {
        if (reader == "header") SafetensorsHeader.Read(path);
        else SafetensorsFile.Open(path).Dispose();
    }

    private const string F32Pair = """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";

    [Theory]
    [MemberData(nameof(Readers))]
    public void Missing_file_is_FileNotFound(string reader)
    {
        var path = _temp.File("absent.safetensors");
        var ex = Assert.Throws<LoraException>(() => Open(reader, path));
        Assert.Equal(ErrorCodes.FileNotFound, ex.Code);
        Assert.Equal(path, ex.FilePath);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void File_shorter_than_the_prefix(string reader)
    {
        var path = _temp.File("short.safetensors");
        File.WriteAllBytes(path, [1, 0, 0]);
        AssertFails(() => Open(reader, path), ErrorCodes.HeaderLength, "file is shorter than the 8-byte length prefix", path);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Empty_file(string reader)
    {
        var path = _temp.File("empty.safetensors");
        File.WriteAllBytes(path, []);
        AssertFails(() => Open(reader, path), ErrorCodes.HeaderLength, "file is shorter than the 8-byte length prefix", path);
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(100UL * 1024 * 1024 + 1)]
    [InlineData(1UL << 40)]
    public void Absurd_header_length_is_rejected_before_allocating(ulong declared)
    {
        var path = Write(_temp.File("absurd.safetensors"), F32Pair, 8, declared);
        AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.HeaderLength, "header length is absurdly large", path);
        AssertFails(() => SafetensorsFile.Open(path).Dispose(), ErrorCodes.HeaderLength, "header length is absurdly large", path);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Header_length_past_the_end_of_the_file(string reader)
    {
        var path = Write(_temp.File("long.safetensors"), F32Pair, 8, declaredLength: 4096);
        AssertFails(() => Open(reader, path), ErrorCodes.HeaderLength, "header length exceeds the file", path);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    public void Header_length_too_small(ulong declared)
    {
        var path = Write(_temp.File("tiny.safetensors"), "{}", 0, declared);
        AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.HeaderLength, "header length is too small", path);
    }

    [Theory]
    [InlineData("not json at all", "header is not valid JSON")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],""", "header is not valid JSON")]
    [InlineData("""{"__metadata__":{},}""", "header is not valid JSON")]
    [InlineData("{} {}", "header is not valid JSON")]
    [InlineData("""[{"w":1}]""", "header is not a JSON object")]
    [InlineData("\"{}\"", "header is not a JSON object")]
    [InlineData("""{"__metadata__":{},"__metadata__":{}}""", "__metadata__ appears twice")]
    public void Header_that_is_not_a_JSON_object(string json, string reason)
    {
        var path = Write(_temp.File("json.safetensors"), json, 0);
        AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.HeaderJson, reason, path);
    }

    [Fact]
    public void Header_with_invalid_utf8()
    {
        var json = Encoding.UTF8.GetBytes("""{"w#":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}""");
        json[Array.IndexOf(json, (byte)'#')] = 0xFF;
        var path = Write(_temp.File("utf8.safetensors"), json, []);
        AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.HeaderJson, "header is not valid JSON", path);
    }

    [Theory]
    [InlineData("F8_E4M3FN")]
    [InlineData("E8M0")]
    [InlineData("f32")]
    [InlineData("C128")]
    [InlineData("")]
    public void Unknown_dtype(string dtype)
    {
        var path = Write(_temp.File("dtype.safetensors"), $$$"""{"w":{"dtype":"{{{dtype}}}","shape":[2],"data_offsets":[0,8]}}""", 8);
        var ex = AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.UnknownDType, "unknown dtype", path, "w");
        Assert.Contains($"({dtype})", ex.Message);
    }

    [Theory]
    [InlineData("""{"w":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}""", "dtype is not a string")]
    [InlineData("""{"w":{"shape":[2],"data_offsets":[0,8]}}""", "missing field")]
    [InlineData("""{"w":{"dtype":"F32","data_offsets":[0,8]}}""", "missing field")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2]}}""", "missing field")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}""", "unexpected field")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"shape":[2],"data_offsets":[0,8]}}""", "field appears twice")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", "shape has a negative dimension")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}""", "shape is not an array of integers")]
    [InlineData("""{"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}""", "shape is not an array of integers")]
    [InlineData("""{"w":{"dtype":"F32","shape":[[2]],"data_offsets":[0,8]}}""", "shape is not an array of integers")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}}""", "data_offsets is not two integers")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":["0","8"]}}""", "data_offsets is not two integers")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":{"begin":0}}}""", "data_offsets is not two integers")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}""", "data_offsets are negative")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", "data_offsets end before they begin")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}""", "shape is too large")]
    [InlineData("""{"w":[0,8]}""", "entry is not an object")]
    public void Bad_tensor_entry(string json, string reason)
    {
        var path = Write(_temp.File("entry.safetensors"), json, 8);
        AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.TensorEntry, reason, path, "w");
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Shape_times_element_size_must_equal_the_byte_range(string reader)
    {
        var path = Write(_temp.File("mismatch.safetensors"), """{"w":{"dtype":"BF16","shape":[3],"data_offsets":[0,8]}}""", 8);
        var ex = AssertFails(() => Open(reader, path), ErrorCodes.ByteLengthMismatch, "shape and dtype do not match the byte range", path, "w");
        Assert.Contains("needs 6 bytes", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Range_past_the_end_of_the_file(string reader)
    {
        var path = Write(_temp.File("outside.safetensors"),
            """{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 8);
        AssertFails(() => Open(reader, path), ErrorCodes.RangeOutsideFile, "byte range ends past the end of the file", path, "w");
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Overlapping_ranges(string reader)
    {
        var path = Write(_temp.File("overlap.safetensors"),
            """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12);
        var ex = AssertFails(() => Open(reader, path), ErrorCodes.OverlappingRanges, "byte ranges overlap", path, "b");
        Assert.Contains("'a'", ex.Message);
    }

    [Fact]
    public void Empty_tensor_inside_another_tensors_range_overlaps()
    {
        var path = Write(_temp.File("overlap-empty.safetensors"),
            """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}""", 8);
        AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.OverlappingRanges, "byte ranges overlap", path, "e");
    }

    [Fact]
    public void Two_tensors_with_the_same_range_overlap()
    {
        var path = Write(_temp.File("same.safetensors"),
            """{"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8);
        AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.OverlappingRanges, "byte ranges overlap", path, "b");
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Gap_between_tensors(string reader)
    {
        var path = Write(_temp.File("gap.safetensors"),
            """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12);
        var ex = AssertFails(() => Open(reader, path), ErrorCodes.GapInData, "bytes between tensors are not used", path, "b");
        Assert.Contains("[4, 8)", ex.Message);
    }

    [Fact]
    public void Gap_before_the_first_tensor()
    {
        var path = Write(_temp.File("gap-start.safetensors"), """{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8);
        AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.GapInData, "bytes between tensors are not used", path, "a");
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Trailing_bytes_no_tensor_covers(string reader)
    {
        var path = Write(_temp.File("trailing.safetensors"), F32Pair, 9);
        AssertFails(() => Open(reader, path), ErrorCodes.GapInData, "trailing bytes are not used", path);
    }

    [Fact]
    public void Data_section_without_any_tensor_is_trailing_bytes()
    {
        var path = Write(_temp.File("no-tensors.safetensors"), "{}", 4);
        AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.GapInData, "trailing bytes are not used", path);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Duplicate_tensor_name(string reader)
    {
        var path = Write(_temp.File("dup.safetensors"),
            """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8);
        AssertFails(() => Open(reader, path), ErrorCodes.DuplicateTensor, "tensor name appears twice", path, "w");
    }

    [Theory]
    [InlineData("""{"__metadata__":{"format":1}}""", "__metadata__ value is not a string")]
    [InlineData("""{"__metadata__":{"format":{"a":"b"}}}""", "__metadata__ value is not a string")]
    [InlineData("""{"__metadata__":{"format":null}}""", "__metadata__ value is not a string")]
    [InlineData("""{"__metadata__":["pt"]}""", "__metadata__ is not an object of strings")]
    [InlineData("""{"__metadata__":"pt"}""", "__metadata__ is not an object of strings")]
    [InlineData("""{"__metadata__":{"format":"pt","format":"np"}}""", "__metadata__ has a repeated key")]
    public void Metadata_that_is_not_a_string_map(string json, string reason)
    {
        var path = Write(_temp.File("meta.safetensors"), json, 0);
        AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.MetadataNotStringMap, reason, path);
    }

    [Fact]
    public void Parse_names_the_given_file()
    {
        var json = Encoding.UTF8.GetBytes(F32Pair);
        AssertFails(() => SafetensorsHeader.Parse(json, 4, "/x/y.safetensors"), ErrorCodes.RangeOutsideFile,
            "byte range ends past the end of the file", "/x/y.safetensors", "w");
    }
}
