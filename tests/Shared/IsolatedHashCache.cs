using System.Runtime.CompilerServices;

namespace LoraMerge.Tests.Shared;

/// <summary>
/// Issue 18: points the engine's per-user hash cache (<c>LORAMERGE_CACHE_DIR</c>, docs/architecture.md) at a folder of
/// this test run, unique per process (a Guid under the temp folder), before any test runs, and removes it at exit.
/// Child processes (the CLI, <c>dotnet build</c>, the merge tool the build task starts) inherit the variable, so no
/// test reads or writes the real <c>~/.cache/loramerge</c>, and two runs side by side never share a cache.
/// </summary>
internal static class IsolatedHashCache
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), $"loramerge-test-cache-{Guid.NewGuid():N}");

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
            catch (UnauthorizedAccessException)
            {
            }
        };
    }
}
