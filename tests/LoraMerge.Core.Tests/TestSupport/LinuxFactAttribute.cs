namespace LoraMerge.Core.Tests.TestSupport;

/// <summary>A fact about Linux-only behaviour (file identities through statx); skipped elsewhere, saying why.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "Linux only: file identities (device and inode) come from statx.";
    }
}
