using System.Text.RegularExpressions;

namespace LoraMerge.Peft;

/// <summary>
/// PEFT's <c>get_pattern_key</c> for <c>rank_pattern</c> / <c>alpha_pattern</c>: keys are tried in JSON order and the
/// first key with <c>re.match(rf"(.*\.)?({key})$", module_key)</c> gives the value; otherwise the default applies.
/// </summary>
public sealed class PatternResolver<T>
{
    private readonly List<(string Key, Regex Regex, T Value)> _patterns;

    internal PatternResolver(IEnumerable<KeyValuePair<string, T>> patterns)
    {
        _patterns = [];
        foreach (var (key, value) in patterns)
            _patterns.Add((key, PythonRegex.ForMatch(@"(.*\.)?(" + key + ")$"), value));
    }

    /// <summary>The pattern keys and values, in the order they are tried.</summary>
    public IReadOnlyList<KeyValuePair<string, T>> Patterns =>
        _patterns.Select(p => new KeyValuePair<string, T>(p.Key, p.Value)).ToList();

    public int Count => _patterns.Count;

    /// <summary>The key whose value <see cref="Resolve"/> returns, or null when the default applies.</summary>
    public string? MatchingKey(string moduleKey)
    {
        foreach (var pattern in _patterns)
        {
            if (pattern.Regex.IsMatch(moduleKey)) return pattern.Key;
        }
        foreach (var pattern in _patterns)
        {
            if (pattern.Key == moduleKey) return pattern.Key;
        }
        return null;
    }

    public T Resolve(string moduleKey, T defaultValue)
    {
        foreach (var pattern in _patterns)
        {
            if (pattern.Regex.IsMatch(moduleKey)) return pattern.Value;
        }
        // get_pattern_key falls back to the module key itself, which is then looked up verbatim.
        foreach (var pattern in _patterns)
        {
            if (pattern.Key == moduleKey) return pattern.Value;
        }
        return defaultValue;
    }
}
