namespace LoraMerge.Peft;

/// <summary>How <c>target_modules</c> (or <c>exclude_modules</c>) was written in adapter_config.json.</summary>
public enum TargetModulesKind
{
    /// <summary>Absent or null.</summary>
    None,

    /// <summary>A list of names: a module matches on its exact key or a <c>"." + name</c> suffix.</summary>
    Names,

    /// <summary>A string: a regex that must match the whole module key.</summary>
    Regex,

    /// <summary>The string <c>"all-linear"</c> (any case): every Linear/Conv1D except the output layer, decided by module type.</summary>
    AllLinear,
}
