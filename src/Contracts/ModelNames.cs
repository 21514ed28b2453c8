namespace LoraMerge.Contracts;

/// <summary>
/// What a model name may be and the class the generator makes of it. A model name is the folder
/// <c>models/&lt;Model&gt;/</c>, so ASCII letters, digits, '_', '-' and '.', not starting with '.'.
/// </summary>
internal static class ModelNames
{
    public const string Rule = "ASCII letters, digits, '_', '-' and '.', not starting with '.'";

    public static bool IsValid(string name)
    {
        if (name.Length == 0 || name[0] == '.') return false;
        foreach (var c in name)
        {
            if (!(c is '_' or '-' or '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
        }
        return true;
    }

    /// <summary>
    /// The generated class of a valid model name: its PascalCase form plus <c>Model</c> (<c>Math</c> -> <c>MathModel</c>,
    /// <c>bofh-v2</c> -> <c>BofhV2Model</c>, <c>3b</c> -> <c>_3bModel</c>). Characters other than letters and digits
    /// separate words.
    /// </summary>
    public static string ClassName(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 6);
        var startOfWord = true;
        foreach (var c in name)
        {
            if (!char.IsLetterOrDigit(c))
            {
                startOfWord = true;
                continue;
            }
            builder.Append(startOfWord ? char.ToUpperInvariant(c) : c);
            startOfWord = false;
        }
        if (builder.Length == 0 || char.IsDigit(builder[0])) builder.Insert(0, '_');
        return builder.Append("Model").ToString();
    }
}
