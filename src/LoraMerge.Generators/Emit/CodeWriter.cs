using System.Text;

namespace LoraMerge.Generators.Emit;

/// <summary>A string builder that indents lines by four spaces per level and always writes '\n' line endings.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public CodeWriter Line(string text = "")
    {
        if (text.Length > 0) _builder.Append(' ', _indent * 4).Append(text);
        _builder.Append('\n');
        return this;
    }

    public int Indent => _indent;

    public static string Spaces(int level) => new(' ', level * 4);

    public CodeWriter Push()
    {
        _indent++;
        return this;
    }

    public CodeWriter Pop()
    {
        _indent--;
        return this;
    }

    public CodeWriter Open(string text = "{")
    {
        Line(text);
        _indent++;
        return this;
    }

    public CodeWriter Close(string text = "}")
    {
        _indent--;
        return Line(text);
    }

    public override string ToString() => _builder.ToString();
}
