using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LoraMerge.Merging;
using LoraMerge.Tasks.IO;
using LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Describe;

/// <summary>
/// The text of a model's merge cache file (<c>obj/.../lora/&lt;Model&gt;.merge.cache</c>): everything that changes the
/// merge but is not a file timestamp (item metadata, properties, tool version). The file is rewritten only when this
/// text changes, and is one of the merge target's Inputs, so Inputs/Outputs notice such changes (the dotnet/sdk
/// "input cache" idiom).
/// </summary>
internal static class MergeCache
{
    public static string Text(ModelRequest model, MergeBackendKind backend, int threads)
    {
        var text = new StringBuilder();
        text.Append("tool=").Append(ToolIdentity.Current).Append('\n');
        text.Append("base=").Append(model.BaseModel).Append('\n');
        foreach (var adapter in model.Adapters)
            text.Append("adapter=").Append(adapter.Directory).Append('|').Append(adapter.Weight.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        text.Append("safeMerge=").Append(model.SafeMerge ? "true" : "false").Append('\n');
        text.Append("format=").Append(OutputFormatMetadata.Name(model.Formats)).Append('\n');
        text.Append("ggufType=").Append(model.GgufType is { } type ? LoraMerge.Gguf.GgufTensorTypes.Name(type) : "").Append('\n');
        if (model.Rounding != MergeRounding.Single)
            text.Append("rounding=peft\n");
        text.Append("backend=").Append(backend.ToString()).Append('\n');
        text.Append("threads=").Append(threads.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// The describe step's own up-to-date check: the merge cache text, the manifest's settings, and every input file's
    /// size and timestamp. When it matches the stamp of the last successful describe, the headers are not read again.
    /// </summary>
    public static string DescribeStamp(string mergeCacheText, string artifact, bool embedded, IEnumerable<string> inputFiles)
    {
        var text = new StringBuilder(mergeCacheText);
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
