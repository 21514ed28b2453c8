using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using static LoraMerge.Core.Tests.Formats.RawSafetensors;

namespace LoraMerge.Core.Tests.Formats;

/// <summary>
/// The whole message of each malformed-file error, details included: the numbers a user needs to see what is wrong
/// (issue 18: mutation testing found the details unchecked, e.g. a range's end printed as offset - length survived).
/// </summary>
public sealed class SafetensorsErrorDetailTests : IDisposable
{
    private readonly TempDirectory _temp = new("st-detail");

    public void Dispose() => _temp.Dispose();

    private static string Message(Action open) => Assert.ThrowsAny<LoraException>(open).Message;

    [Fact]
    public void Short_file_names_its_length()
    {
        var path = _temp.File("short.safetensors");
        File.WriteAllBytes(path, [1, 0, 0]);

        Assert.Equal("invalid safetensors data: file is shorter than the 8-byte length prefix (3 bytes)", Message(() => SafetensorsHeader.Read(path)));
    }

    [Fact]
    public void An_eight_byte_file_is_only_a_prefix_and_its_header_cannot_fit()
    {
        var path = _temp.File("prefix-only.safetensors");
        File.WriteAllBytes(path, [2, 0, 0, 0, 0, 0, 0, 0]);

        var message = Message(() => SafetensorsHeader.Read(path));

        Assert.Equal("invalid safetensors data: header length exceeds the file (2 bytes of header but the file has 0 after the length prefix)", message);
    }

    [Fact]
    public void Header_longer_than_the_file_names_both_lengths()
    {
        var path = Write(_temp.File("long.safetensors"), """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, declaredLength: 4096);
        var available = new FileInfo(path).Length - 8;

        Assert.Equal($"invalid safetensors data: header length exceeds the file (4096 bytes of header but the file has {available} after the length prefix)",
            Message(() => SafetensorsHeader.Read(path)));
    }

    [Fact]
    public void Absurd_and_tiny_header_lengths_name_the_length_and_the_limit()
    {
        var absurd = Write(_temp.File("absurd.safetensors"), "{}", 0, declaredLength: 1UL << 40);
        var tiny = Write(_temp.File("tiny.safetensors"), "{}", 0, declaredLength: 1);

        Assert.Equal($"invalid safetensors data: header length is absurdly large ({1UL << 40} bytes, the limit is {SafetensorsHeader.MaxHeaderLength})",
            Message(() => SafetensorsHeader.Read(absurd)));
        Assert.Equal("invalid safetensors data: header length is too small (1 bytes)", Message(() => SafetensorsHeader.Read(tiny)));
    }

    [Fact]
    public void A_range_past_the_end_names_its_start_end_and_the_data_length()
    {
        var path = Write(_temp.File("past.safetensors"), """{"w":{"dtype":"F32","shape":[4],"data_offsets":[4,20]}}""", 12);

        Assert.Equal("invalid safetensors tensor 'w': byte range ends past the end of the file (range [4, 20) but the data section has 12 bytes)",
            Message(() => SafetensorsHeader.Read(path)));
    }

    [Fact]
    public void Overlap_gap_and_trailing_bytes_name_their_ranges()
    {
        var overlap = Write(_temp.File("overlap.safetensors"),
            """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12);
        var gap = Write(_temp.File("gap.safetensors"),
            """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12);
        var trailing = Write(_temp.File("trailing.safetensors"), """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 6);

        Assert.Equal("invalid safetensors tensor 'b': byte ranges overlap ([4, 12) overlaps 'a' ending at 8)", Message(() => SafetensorsHeader.Read(overlap)));
        Assert.Equal("invalid safetensors tensor 'b': bytes between tensors are not used (bytes [4, 8) before this tensor belong to no tensor)",
            Message(() => SafetensorsHeader.Read(gap)));
        Assert.Equal("invalid safetensors data: trailing bytes are not used (tensors end at 4 but the data section has 6 bytes)",
            Message(() => SafetensorsHeader.Read(trailing)));
    }
}

/// <summary>Header entries: which field, which key, which tensor; the shared JSON-object reader's leniency; packed shapes.</summary>
public sealed class SafetensorsHeaderEntryDetailTests : IDisposable
{
    private readonly TempDirectory _temp = new("st-entry");

    public void Dispose() => _temp.Dispose();

    private string Message(string header, int dataLength = 8) =>
        Assert.ThrowsAny<LoraException>(() => SafetensorsHeader.Read(Write(_temp.File(Guid.NewGuid().ToString("N") + ".safetensors"), header, dataLength))).Message;

    [Theory]
    [InlineData("""{"w":{"shape":[2],"data_offsets":[0,8]}}""", "missing field (dtype)")]
    [InlineData("""{"w":{"dtype":"F32","data_offsets":[0,8]}}""", "missing field (shape)")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2]}}""", "missing field (data_offsets)")]
    [InlineData("""{"w":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "field appears twice (dtype)")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"stride":[1]}}""", "unexpected field (stride)")]
    [InlineData("""{"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", "unknown dtype (F33)")]
    public void A_bad_tensor_entry_names_the_tensor_and_the_field(string header, string reason)
    {
        Assert.Equal($"invalid safetensors tensor 'w': {reason}", Message(header));
    }

    [Theory]
    [InlineData("""{"__metadata__":{"k":1},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "__metadata__ value is not a string (key 'k')")]
    [InlineData("""{"__metadata__":{"k":"a","k":"b"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "__metadata__ has a repeated key (key 'k')")]
    public void Bad_metadata_names_the_key(string header, string reason)
    {
        Assert.Equal($"invalid safetensors data: {reason}", Message(header));
    }

    [Fact]
    public void The_json_object_reader_takes_comments_trailing_commas_and_python_floats()
    {
        var json = """
            { // written by Python's json.dumps
              "a": NaN, "b": Infinity, "c": -Infinity, "d": "NaN inside a string", "e": 1,
            }
            """u8;

        using var document = JsonObjectDocument.Parse(json, "config.json", ErrorCodes.ModelConfig, "config.json");

        var root = document.RootElement;
        Assert.Equal("NaN", root.GetProperty("a").GetString());
        Assert.Equal("Infinity", root.GetProperty("b").GetString());
        Assert.Equal("-Infinity", root.GetProperty("c").GetString());
        Assert.Equal("NaN inside a string", root.GetProperty("d").GetString());
        Assert.Equal(1, root.GetProperty("e").GetInt32());
    }

    [Fact]
    public void Packed_and_negative_shapes_say_why()
    {
        var packed = Assert.Throws<ArgumentException>(() => TensorSpec.ComputeByteLength(DType.F4, [3]));
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => TensorSpec.ElementCount([2, -1]));
        var size = Assert.Throws<ArgumentException>(() => DTypes.SizeOf(DType.F4));

        Assert.StartsWith("3 F4 elements do not fill whole bytes.", packed.Message);
        Assert.StartsWith("Dimensions must be non-negative.", negative.Message);
        Assert.StartsWith("F4 packs 4-bit elements; it has no size in bytes.", size.Message);
        Assert.Equal(2, TensorSpec.ComputeByteLength(DType.F4, [4]));
    }
}

/// <summary>The last header and reader cases mutation testing found unchecked (issue 18).</summary>
public sealed class SafetensorsReaderEdgeTests : IDisposable
{
    private readonly TempDirectory _temp = new("st-edge");

    public void Dispose() => _temp.Dispose();

    private string Path(string name) => _temp.File(name);

    [Fact]
    public void Missing_files_are_named_by_both_readers()
    {
        var path = Path("absent.safetensors");

        Assert.Equal($"Safetensors file not found: {path}", Assert.ThrowsAny<LoraException>(() => SafetensorsHeader.Read(path)).Message);
        Assert.Equal($"Safetensors file not found: {path}", Assert.ThrowsAny<LoraException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void A_reason_without_detail_has_no_parentheses()
    {
        var path = Write(Path("array.safetensors"), "[1, 2]   ", 0);

        Assert.Equal("invalid safetensors data: header is not a JSON object", Assert.ThrowsAny<LoraException>(() => SafetensorsHeader.Read(path)).Message);
    }

    [Fact]
    public void A_header_of_exactly_the_limit_is_not_absurd_only_too_long_for_this_file()
    {
        var path = Write(Path("limit.safetensors"), "{}", 0, declaredLength: (ulong)SafetensorsHeader.MaxHeaderLength);

        var message = Assert.ThrowsAny<LoraException>(() => SafetensorsHeader.Read(path)).Message;

        Assert.StartsWith($"invalid safetensors data: header length exceeds the file ({SafetensorsHeader.MaxHeaderLength} bytes of header", message);
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":{"rows":2},"data_offsets":[0,8]}}""")]
    [InlineData("""{"w":{"dtype":"F32","shape":[[2]],"data_offsets":[0,8]}}""")]
    public void A_shape_that_is_no_list_of_integers_is_skipped_whole_and_refused_by_name(string header)
    {
        var path = Write(Path(Guid.NewGuid().ToString("N") + ".safetensors"), header, 8);

        var error = Assert.ThrowsAny<LoraException>(() => SafetensorsHeader.Read(path));

        Assert.Equal(ErrorCodes.TensorEntry, error.Code);
        Assert.StartsWith("invalid safetensors tensor 'w': shape", error.Message);
    }

    [Fact]
    public void Nesting_deeper_than_sixteen_levels_inside_a_value_is_invalid_json()
    {
        var deep = new string('[', 20) + new string(']', 20);
        var path = Write(Path("deep.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + deep + "],\"data_offsets\":[0,8]}}", 8);

        var error = Assert.ThrowsAny<LoraException>(() => SafetensorsHeader.Read(path));

        Assert.Equal(ErrorCodes.HeaderJson, error.Code);
        Assert.StartsWith("invalid safetensors data: header is not valid JSON", error.Message);
    }

    [Fact]
    public void A_negative_data_length_and_a_null_shape_are_argument_errors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SafetensorsHeader.Parse("{}"u8, -1, "x.safetensors"));
        Assert.Throws<ArgumentNullException>(() => TensorSpec.ElementCount(null!));
    }

    [LinuxFact]
    public void A_disposed_file_keeps_no_descriptor_and_no_mapping()
    {
        var path = Write(Path("ok.safetensors"), """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8);
        for (var i = 0; i < 5; i++)
        {
            using var file = SafetensorsFile.Open(path);
            Assert.Equal(8, file.GetBytes("w").Length);
        }

        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries("/proc/self/fd"), fd => new FileInfo(fd).LinkTarget == path);
        Assert.DoesNotContain(File.ReadLines("/proc/self/maps"), line => line.EndsWith(path, StringComparison.Ordinal));
    }
}
