using System.IO;
using System.Linq;

namespace LoraMerge.Contracts;

/// <summary>Writes small generated files only when their content changes, so timestamps and caches downstream hold.</summary>
internal static class FileContent
{
    /// <summary>Returns true when the file was written.</summary>
    public static bool WriteIfDifferent(string path, byte[] content)
    {
        if (File.Exists(path) && File.ReadAllBytes(path).SequenceEqual(content)) return false;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, content);
        if (File.Exists(path)) File.Replace(temp, path, null);
        else File.Move(temp, path);
        return true;
    }

    public static string? ReadTextOrNull(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static void DeleteIfExists(string path)
    {
        if (File.Exists(path)) File.Delete(path);
    }
}
