using System.Security.Cryptography;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Provenance;

namespace LoraMerge.Core.Tests.Provenance;

/// <summary>
/// The per-user hash cache keys a file by path, size and mtime, and by device, inode and ctime where the OS tells them
/// (issue 17: a byte changed in place with the mtime set back used to be recorded with its old sha256).
/// </summary>
public sealed class HashCacheKeyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [LinuxFact]
    public async Task AByteChangedInPlaceWithTheMtimeSetBackIsHashedAgain()
    {
        string path = _temp.File("big.bin");
        var content = new byte[(64 << 20) + 17]; // at least the 64 MiB from which hashes are cached
        new Random(3).NextBytes(content);
        File.WriteAllBytes(path, content);
        var mtime = File.GetLastWriteTimeUtc(path);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), await new FileHashes().Start(path));

        content[12345] ^= 0xFF;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.Position = 12345;
            stream.WriteByte(content[12345]);
        }
        File.SetLastWriteTimeUtc(path, mtime);
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(path));

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), await new FileHashes().Start(path));
    }
}
