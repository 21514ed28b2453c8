using System.Reflection;
using LoraMerge.Diagnostics;

namespace LoraMerge.Tasks.IO;

/// <summary>
/// Identifies the tool that produced a merge: the package version plus the module ids of the engine and the task, which
/// deterministic builds derive from the code, so a rebuilt engine with an unchanged version still reruns merges.
/// </summary>
internal static class ToolIdentity
{
    public static string Current { get; } = Describe();

    private static string Describe()
    {
        var engine = typeof(LoraException).Assembly;
        var version = engine.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? engine.GetName().Version?.ToString() ?? "unknown";
        return $"{version} engine:{engine.ManifestModule.ModuleVersionId:N} tasks:{typeof(ToolIdentity).Assembly.ManifestModule.ModuleVersionId:N}";
    }
}
