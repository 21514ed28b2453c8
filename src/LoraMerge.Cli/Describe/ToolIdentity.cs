using System.Reflection;
using LoraMerge.Diagnostics;
using LoraMerge.Merging;

namespace LoraMerge.Cli.Describe;

/// <summary>
/// Identifies the tool that produced a merge: the package version plus the module ids of the runtime, the engine, this
/// tool and the task that asked (deterministic builds derive them from the code), so a rebuilt engine with an
/// unchanged version still reruns merges.
/// </summary>
internal static class ToolIdentity
{
    public static string Of(string tasks)
    {
        var runtime = typeof(LoraException).Assembly;
        var version = runtime.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? runtime.GetName().Version?.ToString() ?? "unknown";
        return $"{version} runtime:{Id(runtime)} engine:{Id(typeof(MergeEngine).Assembly)} tool:{Id(typeof(ToolIdentity).Assembly)} tasks:{tasks}";
    }

    private static string Id(Assembly assembly) => assembly.ManifestModule.ModuleVersionId.ToString("N");
}
