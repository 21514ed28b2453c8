using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace LoraMerge.Generators.Naming;

/// <summary>The naming rules of docs/generated-model.md: snake_case to PascalCase, and escapes for what is not an identifier.</summary>
internal static class Identifiers
{
    /// <summary>
    /// <c>self_attn</c> -> <c>SelfAttn</c>, <c>c_attn</c> -> <c>CAttn</c>; any character other than a letter or digit separates
    /// words like '_' does; a result that is empty becomes <c>_</c>, one starting with a digit gets a leading <c>_</c>
    /// (<c>3</c> -> <c>_3</c>), and a C# keyword gets <c>@</c>.
    /// </summary>
    public static string ToPascalCase(string segment)
    {
        var builder = new StringBuilder(segment.Length);
        var startOfWord = true;
        foreach (var c in segment)
        {
            if (!char.IsLetterOrDigit(c))
            {
                startOfWord = true;
                continue;
            }
            builder.Append(startOfWord ? char.ToUpperInvariant(c) : c);
            startOfWord = false;
        }
        if (builder.Length == 0) return "_";
        if (char.IsDigit(builder[0])) builder.Insert(0, '_');
        var name = builder.ToString();
        if (SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None) return "@" + name;
        return SyntaxFacts.IsValidIdentifier(name) ? name : "_";
    }

    /// <summary>A canonical array index: digits without a leading zero (<c>0</c>, <c>12</c>, not <c>012</c>).</summary>
    public static bool TryParseIndex(string segment, out int index)
    {
        index = 0;
        if (segment.Length == 0 || segment.Length > 9 || (segment.Length > 1 && segment[0] == '0')) return false;
        foreach (var c in segment)
        {
            if (c < '0' || c > '9') return false;
            index = index * 10 + (c - '0');
        }
        return true;
    }

    /// <summary>A dotted namespace with each part made a valid identifier; empty stays empty (global namespace).</summary>
    public static string ToNamespace(string rootNamespace)
    {
        var parts = rootNamespace.Trim().Split('.');
        var result = new List<string>();
        foreach (var part in parts)
        {
            var trimmed = part.Trim();
            if (trimmed.Length == 0) continue;
            result.Add(SyntaxFacts.IsValidIdentifier(trimmed) && SyntaxFacts.GetKeywordKind(trimmed) == SyntaxKind.None
                ? trimmed
                : ToPascalCase(trimmed));
        }
        return string.Join(".", result);
    }
}

/// <summary>Hands out member names within one type: a taken name gets '_' appended until it is free.</summary>
internal sealed class NameScope
{
    // Members every class inherits from object; a generated member with one of these names would hide it.
    private static readonly string[] ObjectMembers = { "Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "ReferenceEquals", "Finalize" };

    private readonly HashSet<string> _used = new(System.StringComparer.Ordinal);

    public NameScope(string ownTypeName, params string[] reserved)
    {
        _used.Add(ownTypeName);
        foreach (var name in ObjectMembers) _used.Add(name);
        foreach (var name in reserved) _used.Add(name);
    }

    public string Allocate(string desired)
    {
        var name = desired;
        while (!_used.Add(name.TrimStart('@'))) name += "_";
        return name;
    }
}
