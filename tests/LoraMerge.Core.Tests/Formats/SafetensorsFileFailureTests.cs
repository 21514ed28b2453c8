using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using static LoraMerge.Core.Tests.Formats.RawSafetensors;

namespace LoraMerge.Core.Tests.Formats;

/// <summary>
/// The memory-mapped reader when a file is refused: nothing it opened stays open or mapped, and its messages say what
/// is wrong (issue 18: the cleanup and these messages survived mutation testing).
/// </summary>
public sealed class SafetensorsFileFailureTests : IDisposable
{
    private readonly TempDirectory _temp = new("st-file-failure");

    public void Dispose() => _temp.Dispose();

    [LinuxFact]
    public void A_refused_file_leaves_no_descriptor_and_no_mapping_behind()
    {
        // A valid length prefix and enough bytes to map, then a header that is not a tensor map.
        var path = Write(_temp.File("refused.safetensors"), """{"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", 8);

        for (var i = 0; i < 20; i++)
            Assert.Equal(ErrorCodes.UnknownDType, Assert.ThrowsAny<LoraException>(() => SafetensorsFile.Open(path)).Code);

        var descriptors = Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(fd => new FileInfo(fd).LinkTarget).Count(target => target == path);
        var mappings = File.ReadLines("/proc/self/maps").Count(line => line.EndsWith(path, StringComparison.Ordinal));
        Assert.Equal(0, descriptors);
        Assert.Equal(0, mappings);
    }

    [Fact]
    public void An_eight_byte_file_is_refused_by_the_mapped_reader_as_by_the_header_reader()
    {
        var path = _temp.File("prefix-only.safetensors");
        File.WriteAllBytes(path, [2, 0, 0, 0, 0, 0, 0, 0]);

        var mapped = Assert.ThrowsAny<LoraException>(() => SafetensorsFile.Open(path));

        Assert.Equal("invalid safetensors data: header length exceeds the file (2 bytes of header but the file has 0 after the length prefix)", mapped.Message);
    }

    [Fact]
    public void Span_size_and_foreign_tensor_errors_name_the_tensor()
    {
        var path = Write(_temp.File("w.safetensors"), """{"w":{"dtype":"U8","shape":[6],"data_offsets":[0,6]}}""", 6);
        using var file = SafetensorsFile.Open(path);
        var w = file.Header.Find("w")!;
        var foreign = new TensorInfo("x", DType.F32, [4], 100, 16);

        var misfit = Assert.Throws<ArgumentException>(() => file.GetSpan<float>(w).Length);
        var outside = Assert.Throws<ArgumentException>(() => file.GetBytes(foreign).Length);
        var missing = Assert.Throws<KeyNotFoundException>(() => file.GetBytes("nope").Length);

        Assert.StartsWith("Tensor 'w' has 6 bytes, not a multiple of Single (4 bytes).", misfit.Message);
        Assert.StartsWith($"Tensor 'x' does not lie inside {path}.", outside.Message);
        Assert.Equal($"No tensor 'nope' in {path}.", missing.Message);
    }
}
