using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tests;

/// <summary>The product's GGUF header reader (used by inspect): what it reads back, and coded errors for broken files.</summary>
public sealed class GgufFileTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("loramerge-gguffile-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string WriteSmall()
    {
        string path = Path.Combine(_temp, "small.gguf");
        var layout = GgufLayout.Build(
            [
                new("general.architecture", GgufValue.Of("llama")),
                new("tokenizer.ggml.tokens", GgufValue.Of(new[] { "a", "ü", "▁b" })),
                new("tokenizer.ggml.token_type", GgufValue.Of(new[] { 1, 2, 3 })),
                new("llama.attention.layer_norm_rms_epsilon", GgufValue.Of(1e-5f)),
                new("tokenizer.ggml.add_bos_token", GgufValue.Of(true)),
            ],
            [new GgufTensorSpec("a.weight", [3, 32], GgufTensorType.Q8_0), new GgufTensorSpec("b.weight", [5], GgufTensorType.F32)]);
        using var writer = GgufWriter.Create(path, layout);
        writer.Write(0, 0, new byte[3 * 34]);
        writer.Write(1, 0, new byte[20]);
        writer.Commit();
        return path;
    }

    [Fact]
    public void ReadsBackWhatTheWriterWrote()
    {
        var file = GgufFile.Read(WriteSmall());
        Assert.Equal(3u, file.Version);
        Assert.Equal("llama", file.Get("general.architecture")!.AsString());
        Assert.Equal(["a", "ü", "▁b"], file.Get("tokenizer.ggml.tokens")!.AsStrings());
        Assert.Equal([1, 2, 3], file.Get("tokenizer.ggml.token_type")!.AsInt32s());
        Assert.Equal(32u, file.Get("general.alignment")!.AsUInt32());
        Assert.True(file.Get("tokenizer.ggml.add_bos_token")!.AsBool());
        Assert.Equal([3L, 32L], file.Tensors[0].Shape);
        Assert.Equal("q8_0", file.Tensors[0].TypeName);
        Assert.Equal(0, file.DataStart % 32);
        Assert.Equal(0, file.Tensors[1].DataOffset % 32);
    }

    [Fact]
    public void TruncatedDataIsAnError()
    {
        string path = WriteSmall();
        using (var stream = File.OpenWrite(path))
            stream.SetLength(stream.Length - 40);
        var error = Assert.Throws<LoraException>(() => GgufFile.Read(path));
        Assert.Equal(ErrorCodes.GgufFormat, error.Code);
        Assert.Contains("truncated", error.Message);
        Assert.Equal(path, error.FilePath);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(30)]
    [InlineData(100)]
    public void TruncatedHeaderIsAnError(int keep)
    {
        string path = WriteSmall();
        using (var stream = File.OpenWrite(path))
            stream.SetLength(keep);
        Assert.Equal(ErrorCodes.GgufFormat, Assert.Throws<LoraException>(() => GgufFile.Read(path)).Code);
    }

    [Fact]
    public void WrongMagicIsAnError()
    {
        string path = WriteSmall();
        var bytes = File.ReadAllBytes(path);
        bytes[0] = (byte)'X';
        File.WriteAllBytes(path, bytes);
        Assert.Contains("magic", Assert.Throws<LoraException>(() => GgufFile.Read(path)).Message);
    }

    [Fact]
    public void HugeStringLengthIsAnErrorNotAnAllocation()
    {
        string path = WriteSmall();
        var bytes = File.ReadAllBytes(path);
        BitConverter.TryWriteBytes(bytes.AsSpan(24), long.MaxValue / 2); // the first key's length
        File.WriteAllBytes(path, bytes);
        Assert.Contains("past the end", Assert.Throws<LoraException>(() => GgufFile.Read(path)).Message);
    }

    [Fact]
    public void MissingFileIsAnError() =>
        Assert.Equal(ErrorCodes.FileNotFound, Assert.Throws<LoraException>(() => GgufFile.Read(Path.Combine(_temp, "none.gguf"))).Code);

    [Fact]
    public void LayoutRejectsDuplicateKeys() =>
        Assert.Throws<ArgumentException>(() => GgufLayout.Build([new("a", GgufValue.Of(1u)), new("a", GgufValue.Of(2u))], []));

    [Fact]
    public void UncommittedWriterLeavesNoFile()
    {
        string path = Path.Combine(_temp, "x.gguf");
        using (var writer = GgufWriter.Create(path, GgufLayout.Build([], [new GgufTensorSpec("t", [4], GgufTensorType.F32)])))
            writer.Write(0, 0, new byte[16]);
        Assert.Empty(Directory.GetFiles(_temp));
    }

    [Fact]
    public void CommitRefusesAnIncompleteTensor()
    {
        using var writer = GgufWriter.Create(Path.Combine(_temp, "x.gguf"), GgufLayout.Build([], [new GgufTensorSpec("t", [4], GgufTensorType.F32)]));
        writer.Write(0, 0, new byte[8]);
        Assert.Contains("incomplete", Assert.Throws<InvalidOperationException>(writer.Commit).Message);
    }
}
