using System.Text;
using System.Text.RegularExpressions;

namespace LoraMerge.Peft;

/// <summary>
/// Builds .NET regexes that behave like Python's <c>re.match</c> / <c>re.fullmatch</c> on the patterns PEFT builds,
/// including patterns that come straight from adapter_config.json.
/// </summary>
internal static class PythonRegex
{
    /// <summary>Python's <c>re.match(pattern, s)</c>: anchored at the start only. The pattern is inserted raw, as Python does.</summary>
    public static Regex ForMatch(string pythonPattern) => Create("^(?:" + Translate(pythonPattern) + ")");

    /// <summary>Python's <c>re.fullmatch(pattern, s)</c>.</summary>
    public static Regex ForFullMatch(string pythonPattern) => Create("^(?:" + Translate(pythonPattern) + ")\\z");

    /// <summary>
    /// How long one match may run: module names are short, so only a pathological pattern from a config file
    /// (<c>(.|\w|\W)*Z</c>) ever gets near it; it then fails with <see cref="RegexMatchTimeoutException"/> instead of
    /// running for ever.
    /// </summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private static Regex Create(string pattern) => new(pattern, RegexOptions.CultureInvariant, MatchTimeout);

    /// <summary>
    /// Rewrites the few Python-only constructs into .NET syntax: <c>(?P&lt;name&gt;</c>, <c>(?P=name)</c> and <c>\Z</c>.
    /// Everything else used in module-name patterns means the same in both engines.
    /// </summary>
    internal static string Translate(string pattern)
    {
        var result = new StringBuilder(pattern.Length);
        bool inClass = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                char next = pattern[i + 1];
                result.Append(!inClass && next == 'Z' ? "\\z" : "\\" + next);
                i++;
                continue;
            }
            if (inClass)
            {
                if (c == ']') inClass = false;
                result.Append(c);
                continue;
            }
            if (c == '[')
            {
                inClass = true;
                result.Append(c);
                // A ']' right after '[' or '[^' is a literal in both engines.
                if (i + 1 < pattern.Length && pattern[i + 1] == '^') { result.Append('^'); i++; }
                if (i + 1 < pattern.Length && pattern[i + 1] == ']') { result.Append(']'); i++; }
                continue;
            }
            if (c == '(' && string.CompareOrdinal(pattern, i, "(?P<", 0, 4) == 0)
            {
                result.Append("(?<");
                i += 3;
                continue;
            }
            if (c == '(' && string.CompareOrdinal(pattern, i, "(?P=", 0, 4) == 0)
            {
                int close = pattern.IndexOf(')', i + 4);
                if (close > 0)
                {
                    result.Append("\\k<").Append(pattern, i + 4, close - i - 4).Append('>');
                    i = close;
                    continue;
                }
            }
            result.Append(c);
        }
        return result.ToString();
    }
}
