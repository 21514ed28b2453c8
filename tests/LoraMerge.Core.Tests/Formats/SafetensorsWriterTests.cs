using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using static LoraMerge.Core.Tests.Formats.SampleFiles;

namespace LoraMerge.Core.Tests.Formats;

/// <summary>The writer's guarantees: nothing at the final path until complete, each byte written exactly once.</summary>
public sealed class SafetensorsWriterTests : IDisposable
{
    private readonly TempDirectory _temp = new("st-writer");

    public void Dispose() => _temp.Dispose();

    private static readonly TensorSpec[] Specs = [Spec("a", DType.F32, 4), Spec("b", DType.BF16, 3)];

    [Fact]
    public void Output_appears_only_on_commit_and_temp_file_is_beside_it()
    {
        var path = _temp.File("out.safetensors");
        using var writer = SafetensorsWriter.Create(path, Specs, null);
        Assert.False(File.Exists(path));
        Assert.Equal(_temp.Path, Path.GetDirectoryName(writer.TempPath));
        Assert.StartsWith(path + ".tmp-", writer.TempPath);
        Assert.Equal(SafetensorsWriter.ComputeFileLength(Specs, null), new FileInfo(writer.TempPath).Length);
        writer.WriteTensor(0, BytesFor(0, 16));
        writer.WriteTensor(1, BytesFor(1, 6));
        Assert.False(File.Exists(path));
        writer.Commit();
        Assert.True(File.Exists(path));
        Assert.False(File.Exists(writer.TempPath));
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(BytesFor(1, 6), file.GetBytes("b").ToArray());
    }

    [Fact]
    public void Dispose_without_commit_deletes_the_temp_file_and_leaves_no_output()
    {
        var path = _temp.File("abandoned.safetensors");
        string temp;
        using (var writer = SafetensorsWriter.Create(path, Specs, null))
        {
            temp = writer.TempPath;
            writer.WriteTensor(0, BytesFor(0, 16));
            Assert.True(File.Exists(temp));
        }
        Assert.False(File.Exists(temp));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void Commit_refuses_an_incomplete_tensor_and_names_the_missing_bytes()
    {
        var path = _temp.File("incomplete.safetensors");
        using var writer = SafetensorsWriter.Create(path, Specs, null);
        writer.WriteTensor(0, BytesFor(0, 16));
        writer.Write(1, 0, BytesFor(1, 2));
        writer.Write(1, 4, BytesFor(1, 2));
        var ex = Assert.Throws<InvalidOperationException>(writer.Commit);
        Assert.Contains("'b'", ex.Message);
        Assert.Contains("[2, 4)", ex.Message);
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData(0, 16)]
    [InlineData(4, 4)]
    [InlineData(12, 4)]
    public void Writing_bytes_twice_is_refused(long offset, int length)
    {
        using var writer = SafetensorsWriter.Create(_temp.File("twice.safetensors"), Specs, null);
        writer.Write(0, 4, BytesFor(0, 12));
        var ex = Assert.Throws<InvalidOperationException>(() => writer.Write(0, offset, BytesFor(0, length)));
        Assert.Contains("already written", ex.Message);
    }

    [Fact]
    public void Adjacent_writes_in_any_order_complete_a_tensor()
    {
        var path = _temp.File("pieces.safetensors");
        var bytes = BytesFor(0, 16);
        using (var writer = SafetensorsWriter.Create(path, Specs, null))
        {
            foreach (var start in new[] { 8, 0, 12, 4 }) writer.Write(0, start, bytes.AsSpan(start, 4));
            writer.WriteTensor(1, BytesFor(1, 6));
            writer.Commit();
        }
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(bytes, file.GetBytes("a").ToArray());
    }

    [Theory]
    [InlineData(0, 17L, 0)]
    [InlineData(0, 16L, 1)]
    [InlineData(1, -1L, 1)]
    public void Writes_outside_a_tensor_are_refused(int index, long offset, int length)
    {
        using var writer = SafetensorsWriter.Create(_temp.File("outside.safetensors"), Specs, null);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(index, offset, new byte[length]));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(2, 0, new byte[1]));
    }

    [Fact]
    public void Commit_replaces_an_existing_file()
    {
        var path = _temp.File("existing.safetensors");
        File.WriteAllText(path, "old");
        Write(path, Specs);
        Assert.Equal(2, SafetensorsHeader.Read(path).Tensors.Count);
    }

    [Fact]
    public void Invalid_specs_are_refused()
    {
        var path = _temp.File("bad.safetensors");
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Create(path, [Spec("a", DType.F32, 1), Spec("a", DType.F32, 1)], null));
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Create(path, [Spec("__metadata__", DType.F32, 1)], null));
        Assert.Throws<ArgumentOutOfRangeException>(() => Spec("n", DType.F32, -1));
        Assert.Throws<OverflowException>(() => Spec("huge", DType.F32, long.MaxValue / 2));
        Assert.Empty(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void Missing_output_folder_is_OutputNotWritable()
    {
        var path = _temp.File("no", "such", "folder", "out.safetensors");
        var ex = Assert.Throws<LoraException>(() => SafetensorsWriter.Create(path, Specs, null));
        Assert.Equal(ErrorCodes.OutputNotWritable, ex.Code);
        Assert.StartsWith(path + ".tmp-", ex.FilePath);
    }
}
