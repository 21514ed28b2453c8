using System.Globalization;
using LoraMerge.Cli.Parsing;
using LoraMerge.Gguf;

namespace LoraMerge.Cli.Inspect;

/// <summary>Prints what <c>lora-merge inspect</c> shows for a GGUF file: its metadata and tensor table.</summary>
internal static class GgufSummaryWriter
{
    private const int MaxArrayItems = 8;

    public static void Write(GgufFile gguf, TextWriter writer, int? maxRows)
    {
        writer.WriteLine($"GGUF file: {gguf.FilePath}");
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  version {gguf.Version}, {gguf.Metadata.Count} metadata keys, {gguf.Tensors.Count} tensors, {ByteSize.Format(gguf.FileLength)}"));
        writer.WriteLine($"  tensor types: {string.Join(", ", gguf.Tensors.GroupBy(t => t.TypeName).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} x{g.Count()}"))}");

        writer.WriteLine();
        writer.WriteLine("Metadata:");
        var keys = new TextTable("key", "type", "value");
        foreach (var entry in gguf.Metadata)
            keys.Add(entry.Key, TypeName(entry.Value), ValueText(entry.Value));
        keys.Write(writer, maxRows: null);

        writer.WriteLine();
        writer.WriteLine("Tensors:");
        var table = new TextTable("name", "type", "shape", "offset");
        foreach (var t in gguf.Tensors)
            table.Add(t.Name, t.TypeName, Shapes.Format(t.Shape), (gguf.DataStart + t.DataOffset).ToString(CultureInfo.InvariantCulture));
        table.Write(writer, maxRows);
    }

    private static string TypeName(GgufValue value) =>
        value.Type == GgufValueType.Array
            ? $"{value.ElementType.ToString().ToLowerInvariant()}[{((Array)value.Raw).Length}]"
            : value.Type.ToString().ToLowerInvariant();

    private static string ValueText(GgufValue value)
    {
        if (value.Type == GgufValueType.String)
            return Quote(value.AsString());
        if (value.Type == GgufValueType.Bool)
            return value.AsBool() ? "true" : "false";
        if (value.Type != GgufValueType.Array)
            return Convert.ToString(value.Raw, CultureInfo.InvariantCulture) ?? "";
        var items = ((Array)value.Raw).Cast<object>().ToArray();
        var shown = items.Take(MaxArrayItems).Select(i => i is string s ? Quote(s) : Convert.ToString(i, CultureInfo.InvariantCulture));
        return "[" + string.Join(", ", shown) + (items.Length > MaxArrayItems ? $", ... {items.Length - MaxArrayItems} more" : "") + "]";
    }

    private static string Quote(string s)
    {
        const int max = 60;
        string escaped = s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return "\"" + (escaped.Length > max ? escaped[..max] + "..." : escaped) + "\"";
    }
}
