using System.Security.Cryptography;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Merging;
using LoraMerge.Provenance;

namespace LoraMerge.Core.Tests.Provenance;

public sealed class Sha256StreamTests
{
    private static byte[] Data(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }

    [Fact]
    public void CheckpointsAreSupportedOnLinux()
    {
        // .NET on Linux loads libcrypto itself; if resuming stopped working here, merged outputs would hash their
        // untouched prefix again (slower, same result), so it must not happen silently.
        Assert.Equal(OperatingSystem.IsLinux(), Sha256Stream.CanResume);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(1_000_003)]
    public void HashEqualsSha256InAnyPieces(int length)
    {
        var data = Data(length);
        using var sha = Sha256Stream.Start();
        for (int offset = 0; offset < length; offset += 7_777)
            sha.Append(data.AsSpan(offset, Math.Min(7_777, length - offset)));
        Assert.Equal(length, sha.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), sha.Finish());
    }

    [LinuxTheory]
    [InlineData(64, 65)]
    [InlineData(4096, 4096)]
    [InlineData(1 << 20, 3_000_001)]
    public void ResumingFromACheckpointGivesTheSameHash(int at, int length)
    {
        var data = Data(length);
        Sha256Checkpoint checkpoint;
        using (var first = Sha256Stream.Start())
        {
            first.Append(data.AsSpan(0, at));
            checkpoint = first.Checkpoint() ?? throw new InvalidOperationException("no checkpoint at a multiple of 64");
        }
        Assert.Equal(at, checkpoint.Offset);

        using var resumed = Sha256Stream.Resume(checkpoint)!;
        Assert.Equal(at, resumed.Length);
        resumed.Append(data.AsSpan(at));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), resumed.Finish());
    }

    [Fact]
    public void NoCheckpointInsideABlock()
    {
        using var sha = Sha256Stream.Start();
        sha.Append(new byte[100]);
        Assert.Null(sha.Checkpoint());
    }

    [LinuxTheory]
    [InlineData(65, "0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(64, "not hex")]
    [InlineData(-64, "0000000000000000000000000000000000000000000000000000000000000000")]
    public void ResumeRejectsAMalformedCheckpoint(long offset, string state)
    {
        Assert.Throws<ArgumentException>(() => Sha256Stream.Resume(new Sha256Checkpoint(offset, state)));
    }
}
