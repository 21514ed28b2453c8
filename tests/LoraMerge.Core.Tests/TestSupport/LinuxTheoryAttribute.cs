namespace LoraMerge.Core.Tests.TestSupport;

/// <summary>A theory about Linux-only behaviour (e.g. resumable hashing through libcrypto); skipped elsewhere, saying why.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "Linux only: hash checkpoints go through libcrypto.";
    }
}
