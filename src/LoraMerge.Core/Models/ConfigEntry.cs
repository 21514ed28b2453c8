namespace LoraMerge.Models;

/// <summary>One top-level key of config.json whose value is a scalar or an array of scalars.</summary>
public sealed record ConfigEntry(string Key, ConfigValue Value);
