using System.Runtime.InteropServices;

namespace LoraMerge.Tasks.Tool;

/// <summary>
/// The dotnet host that runs the tool: the one the SDK names (<c>DOTNET_HOST_PATH</c>, set by <c>dotnet build</c>),
/// else the one running this MSBuild (when it runs on .NET), else <c>DOTNET_ROOT</c>'s, else the first on PATH, else
/// the default install folder. A .NET Framework MSBuild (Visual Studio) has no <c>DOTNET_HOST_PATH</c> of its own.
/// </summary>
internal static class DotNetHost
{
    public static string FileName => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";

    /// <summary>Null when none is found.</summary>
    public static string? Find(string? hostPath)
    {
        foreach (var candidate in Candidates(hostPath))
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static IEnumerable<string?> Candidates(string? hostPath)
    {
        yield return hostPath;
        yield return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");

        if (!RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
        {
            // <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet
            var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
            yield return Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", "..", FileName));
        }

        foreach (var variable in new[] { "DOTNET_ROOT", Environment.Is64BitProcess ? "DOTNET_ROOT_X64" : "DOTNET_ROOT(x86)" })
        {
            var root = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrEmpty(root)) yield return Path.Combine(root, FileName);
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
        {
            string? candidate;
            try
            {
                candidate = Path.Combine(directory.Trim().Trim('"'), FileName);
            }
            catch (ArgumentException)
            {
                continue;
            }
            yield return candidate;
        }

        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            var programFiles = Environment.GetEnvironmentVariable("ProgramW6432") ?? Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles);
            yield return Path.Combine(programFiles, "dotnet", FileName);
        }
        else
        {
            yield return "/usr/share/dotnet/dotnet";
            yield return "/usr/lib/dotnet/dotnet";
            yield return "/usr/local/share/dotnet/dotnet";
        }
    }
}
