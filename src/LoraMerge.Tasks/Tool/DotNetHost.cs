using System.Runtime.InteropServices;

namespace LoraMerge.Tasks.Tool;

/// <summary>
/// Where <see cref="DotNetHost"/> looks: environment variables, the running .NET runtime's folder (null under .NET
/// Framework), and the OS's default install folders. Tests give their own.
/// </summary>
internal sealed class HostSearchEnvironment
{
    public Func<string, string?> GetVariable { get; set; } = Environment.GetEnvironmentVariable;

    /// <summary><c>&lt;root&gt;/shared/Microsoft.NETCore.App/&lt;version&gt;/</c> of the running .NET; null under .NET Framework.</summary>
    public string? RuntimeDirectory { get; set; } =
        RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal) ? null : RuntimeEnvironment.GetRuntimeDirectory();

    public IReadOnlyList<string> DefaultInstallFolders { get; set; } = RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
        ? new[] { Path.Combine(Environment.GetEnvironmentVariable("ProgramW6432") ?? Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "dotnet") }
        : new[] { "/usr/share/dotnet", "/usr/lib/dotnet", "/usr/local/share/dotnet" };

    public static HostSearchEnvironment Current { get; } = new();
}

/// <summary>
/// The dotnet host that runs the tool: the one the SDK names (<c>DOTNET_HOST_PATH</c>, set by <c>dotnet build</c>),
/// else the one running this MSBuild (when it runs on .NET), else <c>DOTNET_ROOT</c>'s, else the first on PATH, else
/// the default install folder. A .NET Framework MSBuild (Visual Studio) has no <c>DOTNET_HOST_PATH</c> of its own.
/// </summary>
internal static class DotNetHost
{
    public static string FileName => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";

    /// <summary>Null when none is found.</summary>
    public static string? Find(string? hostPath, HostSearchEnvironment? environment = null)
    {
        foreach (var candidate in Candidates(hostPath, environment ?? HostSearchEnvironment.Current))
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static IEnumerable<string?> Candidates(string? hostPath, HostSearchEnvironment environment)
    {
        yield return hostPath;
        yield return environment.GetVariable("DOTNET_HOST_PATH");

        // <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet
        if (environment.RuntimeDirectory is { } runtimeDirectory)
            yield return Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", "..", FileName));

        foreach (var variable in new[] { "DOTNET_ROOT", Environment.Is64BitProcess ? "DOTNET_ROOT_X64" : "DOTNET_ROOT(x86)" })
        {
            var root = environment.GetVariable(variable);
            if (!string.IsNullOrEmpty(root)) yield return Path.Combine(root, FileName);
        }

        foreach (var directory in (environment.GetVariable("PATH") ?? "").Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
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

        foreach (var folder in environment.DefaultInstallFolders)
            yield return Path.Combine(folder, FileName);
    }
}
