using System.Security.Cryptography;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Merging;
using LoraMerge.Provenance;

namespace LoraMerge.Core.Tests.Provenance;

public sealed class ProgressiveHashTests
{
    [Theory]
    [InlineData(70_000)]
    [InlineData(4 << 20)]   // exactly one read chunk
    [InlineData(5_000_000)] // larger than one read chunk
    public async Task HashOfAFileWrittenFrontToBackEqualsItsSha256(int block)
    {
        using var temp = new TempDirectory();
        string path = temp.File("out.bin");
        var content = new byte[9_000_001];
        new Random(block).NextBytes(content);
        using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, FileOptions.None, content.Length);
        using var hash = new ProgressiveHash(path);
        for (long offset = 0; offset < content.Length; offset += block)
        {
            var bytes = content.AsSpan((int)offset, (int)Math.Min(block, content.Length - offset));
            RandomAccess.Write(file, bytes, offset);
            hash.Advance(offset + bytes.Length);
        }
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), await hash.Complete(content.Length));
    }

    [Fact]
    public async Task AbandonedHashDoesNotComplete()
    {
        using var temp = new TempDirectory();
        string path = temp.File("out.bin");
        File.WriteAllBytes(path, new byte[100]);
        var hash = new ProgressiveHash(path);
        hash.Advance(50);
        hash.Dispose();
        var task = hash.Complete(100);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }
}
