using System.Text;

namespace LoraMerge.Contracts;

/// <summary>
/// The line format of the build's small state files (the describe result, a model's reported warnings): fields
/// separated by tabs, one record per line, with <c>\</c>, tab and line breaks escaped inside a field.
/// </summary>
internal static class TabSeparatedText
{
    public static void AppendLine(StringBuilder text, params string[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0) text.Append('\t');
            text.Append(Escape(fields[i]));
        }
        text.Append('\n');
    }

    /// <summary>The fields of every non-empty line, unescaped.</summary>
    public static IEnumerable<string[]> Records(string text)
    {
        foreach (var line in text.Split(new[] { '\n' }, System.StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            for (var i = 0; i < fields.Length; i++) fields[i] = Unescape(fields[i]);
            yield return fields;
        }
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "\\r");

    private static string Unescape(string text)
    {
        if (text.IndexOf('\\') < 0) return text;
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
