using System.Text;
using LoraMerge.Diagnostics;

namespace LoraMerge.Requests;

/// <summary>
/// The warnings the describe step's preflight reported for a model, kept in <c>&lt;Model&gt;.warnings</c> so that an
/// incremental describe repeats them (as a compiler repeats its warnings) and the merge (<c>merge --request</c>) does
/// not report them twice.
/// </summary>
public static class ReportedWarnings
{
    public static void Save(string path, IReadOnlyList<LoraWarning> warnings)
    {
        var text = new StringBuilder();
        foreach (var warning in warnings)
            text.Append(Escape(warning.Code)).Append('\t').Append(Escape(warning.FilePath ?? "")).Append('\t').Append(Escape(warning.Message)).Append('\n');
        var content = text.ToString();
        if (File.Exists(path) && File.ReadAllText(path) == content) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, content);
    }

    public static HashSet<LoraWarning> Load(string? path)
    {
        var warnings = new HashSet<LoraWarning>();
        if (string.IsNullOrEmpty(path) || !File.Exists(path)) return warnings;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException)
        {
            return warnings;
        }
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t');
            if (parts.Length != 3) continue;
            var file = Unescape(parts[1]);
            warnings.Add(new LoraWarning(Unescape(parts[0]), Unescape(parts[2]), file.Length == 0 ? null : file));
        }
        return warnings;
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "\\r");

    private static string Unescape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                result.Append(text[i]);
                continue;
            }
            i++;
            result.Append(text[i] switch { 't' => '\t', 'n' => '\n', 'r' => '\r', _ => text[i] });
        }
        return result.ToString();
    }
}
