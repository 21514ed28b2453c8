namespace LoraMerge.Peft;

/// <summary>The value of <c>target_modules</c> or <c>exclude_modules</c>: absent, a list of names, or a regex string.</summary>
public sealed record ModuleSelector(TargetModulesKind Kind, IReadOnlyList<string> Names, string? Pattern)
{
    public static ModuleSelector None { get; } = new(TargetModulesKind.None, [], null);

    public static ModuleSelector FromNames(IReadOnlyList<string> names) => new(TargetModulesKind.Names, names, null);

    public static ModuleSelector FromPattern(string pattern) =>
        string.Equals(pattern, "all-linear", StringComparison.OrdinalIgnoreCase)
            ? new(TargetModulesKind.AllLinear, [], pattern)
            : new(TargetModulesKind.Regex, [], pattern);

    /// <summary>A string that is always a regex (<c>exclude_modules</c> has no "all-linear" shorthand).</summary>
    public static ModuleSelector FromRegex(string pattern) => new(TargetModulesKind.Regex, [], pattern);

    /// <summary>True when the value is absent, null or an empty list (PEFT treats all of these as "not set").</summary>
    public bool IsEmpty => Kind == TargetModulesKind.None || (Kind == TargetModulesKind.Names && Names.Count == 0);

    public override string ToString() => Kind switch
    {
        TargetModulesKind.None => "null",
        TargetModulesKind.Names => "[" + string.Join(", ", Names.Select(n => "\"" + n + "\"")) + "]",
        _ => "\"" + Pattern + "\"",
    };
}
