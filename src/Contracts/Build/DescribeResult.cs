using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace LoraMerge.Contracts;

/// <summary>
/// What <c>lora-merge describe</c> found (<c>obj/.../lora/describe.result</c>), for the <c>LoraDescribeModels</c> task:
/// its output items (<c>@(LoraModel)</c> with their metadata, the manifests, the files of <c>Merge="false"</c>
/// adapters) and the warnings it reported, which the task repeats on a build that starts no process. Written only
/// after a successful describe. One line per entry, fields separated by tabs (escaped in values).
/// </summary>
internal sealed class DescribeResult
{
    public const string FileName = "describe.result";

    // Metadata of the LoraModel items (docs/msbuild.md, "@(LoraModel) items").
    public const string MergeRequest = "MergeRequest";
    public const string MergeReport = "MergeReport";
    public const string InputFiles = "InputFiles";
    public const string OutputDirectory = "OutputDirectory";
    public const string RelativeDirectory = "RelativeDirectory";
    public const string ResourcePrefix = "ResourcePrefix";
    public const string Embed = "Embed";
    public const string Manifest = "Manifest";
    /// <summary>Metadata of manifests and unmerged adapter files: the model they belong to.</summary>
    public const string Model = "Model";
    /// <summary>Metadata of unmerged adapter files: <c>models/&lt;Model&gt;/&lt;file&gt;</c>.</summary>
    public const string RelativePath = "RelativePath";

    private const string ProcessKind = "process";
    private const string ModelKind = "model";
    private const string ManifestKind = "manifest";
    private const string UnmergedKind = "unmerged";
    private const string WarningKind = "warning";

    /// <summary>The process that read the headers (never the MSBuild node).</summary>
    public int ProcessId { get; set; }
    public List<Item> Models { get; } = new();
    public List<Item> Manifests { get; } = new();
    public List<Item> UnmergedFiles { get; } = new();
    public List<Warning> Warnings { get; } = new();

    public sealed class Item
    {
        public Item(string spec) => Spec = spec;
        public string Spec { get; }
        public List<KeyValuePair<string, string>> Metadata { get; } = new();
        public Item With(string name, string value)
        {
            Metadata.Add(new KeyValuePair<string, string>(name, value));
            return this;
        }
    }

    /// <summary>A warning as the build reported it: code, place, message.</summary>
    public sealed class Warning
    {
        public Warning(string code, string file, int line, int column, string message)
        {
            Code = code;
            File = file;
            Line = line;
            Column = column;
            Message = message;
        }
        public string Code { get; }
        public string File { get; }
        public int Line { get; }
        public int Column { get; }
        public string Message { get; }
    }

    public string Write()
    {
        var text = new StringBuilder();
        TabSeparatedText.AppendLine(text, ProcessKind, ProcessId.ToString(CultureInfo.InvariantCulture));
        foreach (var (kind, items) in new[] { (ModelKind, Models), (ManifestKind, Manifests), (UnmergedKind, UnmergedFiles) })
        {
            foreach (var item in items)
            {
                var fields = new List<string> { kind, item.Spec };
                foreach (var pair in item.Metadata) fields.Add(pair.Key + "=" + pair.Value);
                TabSeparatedText.AppendLine(text, fields.ToArray());
            }
        }
        foreach (var w in Warnings)
        {
            TabSeparatedText.AppendLine(text, WarningKind, w.Code, w.File, w.Line.ToString(CultureInfo.InvariantCulture), w.Column.ToString(CultureInfo.InvariantCulture), w.Message);
        }
        return text.ToString();
    }

    /// <summary>Null when the text is not a result (an older or damaged file: the describe step runs again).</summary>
    public static DescribeResult? Parse(string text)
    {
        var result = new DescribeResult();
        var sawProcess = false;
        foreach (var fields in TabSeparatedText.Records(text))
        {
            switch (fields[0])
            {
                case ProcessKind when fields.Length == 2 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id):
                    result.ProcessId = id;
                    sawProcess = true;
                    break;
                case ModelKind when fields.Length >= 2:
                    result.Models.Add(ItemOf(fields));
                    break;
                case ManifestKind when fields.Length >= 2:
                    result.Manifests.Add(ItemOf(fields));
                    break;
                case UnmergedKind when fields.Length >= 2:
                    result.UnmergedFiles.Add(ItemOf(fields));
                    break;
                case WarningKind when fields.Length == 6
                    && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var lineNumber)
                    && int.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var column):
                    result.Warnings.Add(new Warning(fields[1], fields[2], lineNumber, column, fields[5]));
                    break;
                default:
                    return null;
            }
        }
        return sawProcess ? result : null;
    }

    private static Item ItemOf(string[] fields)
    {
        var item = new Item(fields[1]);
        for (var i = 2; i < fields.Length; i++)
        {
            var equals = fields[i].IndexOf('=');
            if (equals > 0) item.With(fields[i].Substring(0, equals), fields[i].Substring(equals + 1));
        }
        return item;
    }
}
