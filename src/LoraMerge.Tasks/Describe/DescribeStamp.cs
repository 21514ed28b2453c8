using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LoraMerge.Contracts;

namespace LoraMerge.Tasks.Describe;

/// <summary>
/// The describe step's own up-to-date check, made in the task so that a build where nothing changed starts no process:
/// the describe request (items, metadata, properties, the task's identity), the tool's assemblies, and every file of
/// every adapter and base model folder (<see cref="InputFiles"/>), by size and timestamp. When it matches the stamp of
/// the last successful describe, the headers are not read again and the last result is used.
/// </summary>
internal static class DescribeStamp
{
    public static string Compute(byte[] request, string toolAssembly, IEnumerable<string> folders)
    {
        var text = new StringBuilder(Encoding.UTF8.GetString(request));
        var toolDirectory = Path.GetDirectoryName(Path.GetFullPath(toolAssembly)) ?? "";
        foreach (var file in InputFiles.InFolder(toolDirectory).Where(f => f.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)))
            AppendFile(text, "tool=", file);
        foreach (var folder in folders.Distinct(StringComparer.Ordinal))
        {
            text.Append("folder=").Append(folder).Append('\n');
            foreach (var file in InputFiles.InFolder(folder)) AppendFile(text, "file=", file);
        }
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString()));
        var hex = new StringBuilder(hash.Length * 2);
        foreach (var b in hash) hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        return hex.ToString();
    }

    private static void AppendFile(StringBuilder text, string kind, string file)
    {
        var info = new FileInfo(file);
        text.Append(kind).Append(file).Append('|')
            .Append(info.Exists ? info.Length.ToString(CultureInfo.InvariantCulture) : "-").Append('|')
            .Append(info.Exists ? info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture) : "-").Append('\n');
    }
}
