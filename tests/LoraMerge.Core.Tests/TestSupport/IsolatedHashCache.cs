using System.Runtime.CompilerServices;

namespace LoraMerge.Core.Tests.TestSupport;

/// <summary>Points the engine's per-user hash cache at a folder of this test run (removed at exit), before any test touches it.</summary>
internal static class IsolatedHashCache
{
    public static string Root { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"loramerge-test-cache-{Environment.ProcessId}");

    [ModuleInitializer]
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("LORAMERGE_CACHE_DIR", Root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                if (Directory.Exists(Root))
                    Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
        };
    }
}
