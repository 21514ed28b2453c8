namespace LoraMerge.Contracts;

/// <summary>
/// What a model name may be and the class the generator makes of it. A model name is the folder
/// <c>models/&lt;Model&gt;/</c> on every OS the app may run on, so ASCII letters, digits, '_', '-' and '.', not starting
/// or ending with '.' (Windows drops a trailing dot), and not a Windows device name (<c>CON</c>, <c>NUL</c>,
/// <c>COM1</c>, ... with or without an extension).
/// </summary>
internal static class ModelNames
{
    public const string Rule = "ASCII letters, digits, '_', '-' and '.', not starting or ending with '.', not a Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9)";

    private static readonly string[] WindowsDeviceNames = ["CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"];

    public static bool IsValid(string name)
    {
        if (name.Length == 0 || name[0] == '.' || name[name.Length - 1] == '.') return false;
        int dot = name.IndexOf('.');
        string stem = dot < 0 ? name : name.Substring(0, dot);
        foreach (var device in WindowsDeviceNames)
        {
            if (string.Equals(stem, device, System.StringComparison.OrdinalIgnoreCase)) return false;
        }
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

    public const string ClassNameRule = "an ASCII C# identifier (letters, digits and '_', not starting with a digit) that is not a C# keyword";
    public const string NamespaceRule = "C# identifiers (each as a class name) separated by '.'";

    // C#'s reserved keywords (contextual keywords such as 'var' or 'record' are valid type names).
    private static readonly string[] CSharpKeywords = ["abstract", "as", "base", "bool", "break", "byte", "case", "catch",
        "char", "checked", "class", "const", "continue", "decimal", "default", "delegate", "do", "double", "else", "enum",
        "event", "explicit", "extern", "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit",
        "in", "int", "interface", "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator",
        "out", "override", "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed",
        "short", "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try",
        "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while"];

    /// <summary>A <c>ClassName</c> given on the item: <see cref="ClassNameRule"/>.</summary>
    public static bool IsValidClassName(string name)
    {
        if (name.Length == 0 || (name[0] >= '0' && name[0] <= '9')) return false;
        foreach (var c in name)
        {
            if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
        }
        return System.Array.IndexOf(CSharpKeywords, name) < 0;
    }

    /// <summary>A <c>Namespace</c> given on the item: <see cref="NamespaceRule"/>.</summary>
    public static bool IsValidNamespace(string name)
    {
        if (name.Length == 0) return false;
        foreach (var part in name.Split('.'))
        {
            if (!IsValidClassName(part)) return false;
        }
        return true;
    }
}
