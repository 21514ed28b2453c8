namespace LoraMerge.Runtime;

/// <summary>
/// Where embedded GGUF files are extracted: <c>$LORAMERGE_CACHE_DIR/gguf</c> when set (other than <c>off</c>, which only
/// turns off the merge's hash cache), else <c>%LOCALAPPDATA%\loramerge\gguf</c> on Windows and
/// <c>${XDG_CACHE_HOME:-~/.cache}/loramerge/gguf</c> elsewhere; the temp folder when there is no home.
/// </summary>
internal static class GgufCacheDirectory
{
    public static string Resolve()
    {
        var configured = Environment.GetEnvironmentVariable("LORAMERGE_CACHE_DIR");
        if (!string.IsNullOrEmpty(configured) && configured != "off") return Path.Combine(configured, "gguf");
        return Path.Combine(UserCacheRoot(), "loramerge", "gguf");
    }

    private static string UserCacheRoot()
    {
        if (OperatingSystem.IsWindows())
        {
            var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            if (!string.IsNullOrEmpty(local)) return local;
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg)) return xdg;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? Path.GetTempPath() : Path.Combine(home, ".cache");
    }
}
