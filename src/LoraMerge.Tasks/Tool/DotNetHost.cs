using System.Runtime.InteropServices;

namespace LoraMerge.Tasks.Tool;

/// <summary>The dotnet host that runs the tool: the one the SDK names, else the one running this MSBuild, else PATH's.</summary>
internal static class DotNetHost
{
    public static string Find(string? hostPath, string fileName)
    {
        if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath)) return hostPath;
        var fromEnvironment = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment)) return fromEnvironment;

        // <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var beside = Path.Combine(root, fileName);
        if (File.Exists(beside)) return beside;

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, fileName);
            if (File.Exists(candidate)) return candidate;
        }
        return fileName;
    }
}
