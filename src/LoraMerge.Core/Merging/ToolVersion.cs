using System.Reflection;

namespace LoraMerge.Merging;

internal static class ToolVersion
{
    /// <summary>The package version (without source-revision suffix), recorded in every merged folder.</summary>
    public static string Value { get; } =
        (typeof(ToolVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];
}
