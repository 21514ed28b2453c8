using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LoraMerge.Tasks.Describe;

/// <summary>
/// The describe step's own up-to-date check: the model's merge request (options, item, tool identity), the manifest's
/// settings, and every input file's size and timestamp. When it matches the stamp of the last successful describe, the
/// headers are not read again.
/// </summary>
internal static class DescribeStamp
{
    public static string Compute(byte[] request, string artifact, bool embedded, IEnumerable<string> inputFiles)
    {
        var text = new StringBuilder(Encoding.UTF8.GetString(request));
        text.Append("artifact=").Append(artifact).Append('\n');
        text.Append("embedded=").Append(embedded ? "true" : "false").Append('\n');
        foreach (var file in inputFiles)
        {
            var info = new FileInfo(file);
            text.Append("file=").Append(file).Append('|')
                .Append(info.Exists ? info.Length.ToString(CultureInfo.InvariantCulture) : "-").Append('|')
                .Append(info.Exists ? info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture) : "-").Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
