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
            LoraMerge.Contracts.TabSeparatedText.AppendLine(text, warning.Code, warning.FilePath ?? "", warning.Message);
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
        foreach (var fields in LoraMerge.Contracts.TabSeparatedText.Records(text))
        {
            if (fields.Length != 3) continue;
            warnings.Add(new LoraWarning(fields[0], fields[2], fields[1].Length == 0 ? null : fields[1]));
        }
        return warnings;
    }
}
