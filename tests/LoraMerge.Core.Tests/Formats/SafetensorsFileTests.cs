using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Formats;
using static LoraMerge.Core.Tests.Formats.SampleFiles;

namespace LoraMerge.Core.Tests.Formats;

/// <summary>The mapped reader's guards: spans only for tensors of this file, typed views that fit, nothing after dispose.</summary>
public sealed class SafetensorsFileTests : IDisposable
{
    private readonly TempDirectory _temp = new("st-file");
    private readonly string _path;

    public SafetensorsFileTests()
    {
        _path = _temp.File("model.safetensors");
        Write(_path, [Spec("a", DType.BF16, 3), Spec("b", DType.F32, 2)], new Dictionary<string, string> { ["k"] = "v" });
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Header_positions_match_the_file()
    {
        using var file = SafetensorsFile.Open(_path);
        var header = file.Header;
        Assert.Equal(Path.GetFullPath(_path), file.FilePath);
        Assert.Equal(header.FilePath, file.FilePath);
        Assert.Equal(8 + header.HeaderLength, header.DataStart);
        Assert.Equal(new FileInfo(_path).Length, header.DataStart + header.DataLength);
        Assert.Equal(14, header.DataLength);
        Assert.Equal(6, header.Find("b")!.DataOffset);
        Assert.Null(header.Find("c"));
        Assert.Equal(BytesFor(1, 8), file.GetBytes(header.Find("b")!).ToArray());
    }

    [Fact]
    public void Typed_span_needs_a_whole_number_of_elements()
    {
        using var file = SafetensorsFile.Open(_path);
        var a = file.Header.Find("a")!;
        Assert.Equal(3, file.GetSpan<ushort>(a).Length);
        Assert.Equal(6, file.GetSpan<byte>(a).Length);
        Assert.Throws<ArgumentException>(() => file.GetSpan<float>(a).Length);
    }

    [Fact]
    public void Tensor_not_inside_this_file_is_refused()
    {
        using var file = SafetensorsFile.Open(_path);
        var b = file.Header.Find("b")!;
        Assert.Throws<ArgumentException>(() => file.GetBytes(b with { DataOffset = 10 }).Length);
        Assert.Throws<ArgumentException>(() => file.GetBytes(b with { DataOffset = -1 }).Length);
    }

    [Fact]
    public unsafe void Pointer_and_span_address_the_same_bytes()
    {
        using var file = SafetensorsFile.Open(_path);
        var b = file.Header.Find("b")!;
        fixed (byte* span = file.GetBytes(b)) Assert.True(span == file.GetPointer(b));
    }

    [Fact]
    public void Nothing_is_handed_out_after_dispose()
    {
        var file = SafetensorsFile.Open(_path);
        var a = file.Header.Find("a")!;
        file.Dispose();
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.GetBytes(a).Length);
    }

    [Fact]
    public void Header_read_and_mapped_open_agree()
    {
        var header = SafetensorsHeader.Read(_path);
        using var file = SafetensorsFile.Open(_path);
        Assert.Equal(header.HeaderLength, file.Header.HeaderLength);
        Assert.Equal(header.Metadata, file.Header.Metadata);
        Assert.Equal(header.Tensors.Select(t => (t.Name, t.DataOffset, t.ByteLength)), file.Header.Tensors.Select(t => (t.Name, t.DataOffset, t.ByteLength)));
    }
}
