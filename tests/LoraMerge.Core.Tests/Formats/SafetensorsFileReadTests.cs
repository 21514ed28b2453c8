using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using static LoraMerge.Core.Tests.Formats.SampleFiles;

namespace LoraMerge.Core.Tests.Formats;

/// <summary>The streaming path (<see cref="SafetensorsFile.Read"/>): the same bytes as the mapping, chunked, range-checked.</summary>
public sealed class SafetensorsFileReadTests : IDisposable
{
    private readonly TempDirectory _temp = new("st-read");
    private readonly string _path;

    public SafetensorsFileReadTests()
    {
        _path = _temp.File("model.safetensors");
        Write(_path, [Spec("a", DType.BF16, 3), Spec("b", DType.F32, 5, 7), Spec("empty", DType.F32, 0), Spec("c", DType.U8, 11)]);
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("a", 0)]
    [InlineData("b", 1)]
    [InlineData("c", 3)]
    public void Whole_tensor_read_equals_the_written_bytes_and_the_mapped_span(string name, int index)
    {
        using var file = SafetensorsFile.Open(_path);
        var tensor = file.Header.Find(name)!;
        var buffer = new byte[tensor.ByteLength + 9];
        Array.Fill(buffer, (byte)0xEE);

        var count = file.Read(tensor, 0, buffer);

        Assert.Equal(tensor.ByteLength, count);
        Assert.Equal(BytesFor(index, tensor.ByteLength), buffer[..count]);
        Assert.Equal(file.GetBytes(tensor).ToArray(), buffer[..count]);
        Assert.All(buffer[count..], b => Assert.Equal(0xEE, b)); // nothing written past the tensor's bytes
    }

    [Fact]
    public void Small_buffer_reads_the_tensor_in_chunks_with_a_short_last_one()
    {
        using var file = SafetensorsFile.Open(_path);
        var b = file.Header.Find("b")!; // 140 bytes
        var buffer = new byte[16];
        var collected = new List<byte>();
        var counts = new List<int>();
        long offset = 0;
        int n;
        while ((n = file.Read(b, offset, buffer)) > 0)
        {
            counts.Add(n);
            collected.AddRange(buffer[..n]);
            offset += n;
        }

        Assert.Equal(BytesFor(1, 140), collected.ToArray());
        Assert.Equal(9, counts.Count);
        Assert.Equal(12, counts[^1]);
        Assert.All(counts[..^1], c => Assert.Equal(16, c));
    }

    [Fact]
    public void Read_from_the_middle_returns_those_bytes_only()
    {
        using var file = SafetensorsFile.Open(_path);
        var b = file.Header.Find("b")!;
        var buffer = new byte[10];

        Assert.Equal(10, file.Read(b, 57, buffer));
        Assert.Equal(BytesFor(1, 140)[57..67], buffer);
        Assert.Equal(3, file.Read(b, 137, buffer));
        Assert.Equal(BytesFor(1, 140)[137..], buffer[..3]);
    }

    [Fact]
    public void End_of_tensor_and_empty_destination_read_nothing()
    {
        using var file = SafetensorsFile.Open(_path);
        var a = file.Header.Find("a")!;
        var buffer = new byte[4];

        Assert.Equal(0, file.Read(a, a.ByteLength, buffer));
        Assert.Equal(0, file.Read(a, 0, Span<byte>.Empty));
        Assert.Equal(0, file.Read(file.Header.Find("empty")!, 0, buffer));
    }

    [Fact]
    public void Offsets_outside_the_tensor_and_tensors_outside_the_file_are_refused()
    {
        using var file = SafetensorsFile.Open(_path);
        var c = file.Header.Find("c")!;
        var buffer = new byte[4];

        Assert.Throws<ArgumentOutOfRangeException>(() => file.Read(c, -1, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => file.Read(c, c.ByteLength + 1, buffer));
        Assert.Throws<ArgumentException>(() => file.Read(c with { DataOffset = file.Header.DataLength - 5 }, 0, buffer));
        Assert.Throws<ArgumentNullException>(() => file.Read(null!, 0, buffer));
    }

    [Fact]
    public void Nothing_is_read_after_dispose()
    {
        var file = SafetensorsFile.Open(_path);
        var a = file.Header.Find("a")!;
        file.Dispose();

        Assert.Throws<ObjectDisposedException>(() => file.Read(a, 0, new byte[6]));
    }

    [Fact]
    public void Concurrent_reads_of_different_tensors_each_get_their_bytes()
    {
        using var file = SafetensorsFile.Open(_path);
        var tensors = new[] { ("a", 0), ("b", 1), ("c", 3) };
        var results = new byte[tensors.Length * 50][];

        Parallel.For(0, results.Length, i =>
        {
            var tensor = file.Header.Find(tensors[i % tensors.Length].Item1)!;
            var buffer = new byte[tensor.ByteLength];
            file.Read(tensor, 0, buffer);
            results[i] = buffer;
        });

        for (var i = 0; i < results.Length; i++)
        {
            var (name, index) = tensors[i % tensors.Length];
            Assert.Equal(BytesFor(index, file.Header.Find(name)!.ByteLength), results[i]);
        }
    }

    [Fact]
    public void File_truncated_while_open_is_a_read_failure_not_short_data()
    {
        using var file = SafetensorsFile.Open(_path);
        var c = file.Header.Find("c")!;
        using (var shrink = File.OpenHandle(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            RandomAccess.SetLength(shrink, file.Header.DataStart + c.DataOffset + 4);

        var error = Assert.Throws<LoraException>(() => file.Read(c, 0, new byte[11]));

        Assert.Equal(ErrorCodes.ReadFailed, error.Code);
        Assert.Equal(file.FilePath, error.FilePath);
        Assert.Contains("'c'", error.Message);
    }
}
