using System.Reflection;

namespace LoraMerge.Generators.Tests.Infrastructure;

/// <summary>
/// Hand-rolled snapshots: compares with <c>Snapshots/&lt;name&gt;.verified.txt</c>; on a mismatch writes
/// <c>.received.txt</c> and fails. <c>LORA_ACCEPT_SNAPSHOTS=1</c> overwrites the verified file instead.
/// </summary>
internal static class Snapshot
{
    private static readonly string Folder = Path.Combine(
        typeof(Snapshot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!,
        "tests", "LoraMerge.Generators.Tests", "Snapshots");

    public static void Match(string name, string actual)
    {
        actual = actual.Replace("\r\n", "\n");
        var verified = Path.Combine(Folder, name + ".verified.txt");
        var received = Path.Combine(Folder, name + ".received.txt");
        if (Environment.GetEnvironmentVariable("LORA_ACCEPT_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(Folder);
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified}; wrote {received}. Run with LORA_ACCEPT_SNAPSHOTS=1 to accept."
            : $"Snapshot {name} differs; wrote {received}. Diff it with {verified}; LORA_ACCEPT_SNAPSHOTS=1 accepts.");
    }
}
