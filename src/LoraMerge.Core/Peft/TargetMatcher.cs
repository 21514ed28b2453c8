using System.Globalization;
using System.Text.RegularExpressions;

namespace LoraMerge.Peft;

/// <summary>
/// PEFT's <c>check_target_module_exists</c> for one adapter config: decides from a module key (the path inside the
/// base transformers model, e.g. <c>model.layers.0.self_attn.q_proj</c>) whether LoRA was put on that module.
/// </summary>
public sealed class TargetMatcher
{
    private readonly AdapterConfig _config;
    private readonly Regex? _excludeRegex;
    private readonly Regex? _targetRegex;
    private readonly List<Regex> _modulesToSave;
    private readonly List<Regex> _layerIndexRegexes;

    internal TargetMatcher(AdapterConfig config)
    {
        _config = config;
        if (config.ExcludeModules is { Kind: TargetModulesKind.Regex, Pattern: { Length: > 0 } exclude })
            _excludeRegex = PythonRegex.ForFullMatch(exclude);
        if (config.TargetModules is { Kind: TargetModulesKind.Regex, Pattern: { } target })
            _targetRegex = PythonRegex.ForFullMatch(target);
        _modulesToSave = config.ModulesToSave.Select(m => PythonRegex.ForMatch(@"(^|.*\.)" + m + @"($|\..*)")).ToList();

        // Empty layers_pattern (absent, "" or []) means "the first numbered segment"; otherwise each pattern in turn.
        _layerIndexRegexes = config.LayersPattern is { Count: > 0 } patterns
            ? patterns.Select(p => PythonRegex.ForMatch(@".*?\." + p + @"\.(\d+)\.")).ToList()
            : [PythonRegex.ForMatch(@".*?\.[^.]*\.(\d+)\.")];
    }

    /// <summary>
    /// False when <c>target_modules</c> is absent or <c>"all-linear"</c>: then the config alone cannot say which modules
    /// were targeted (PEFT resolved it from the module types) and <see cref="IsTargeted"/> accepts every module that is
    /// not excluded.
    /// </summary>
    public bool KnowsTargets => _config.TargetModules.Kind is TargetModulesKind.Names or TargetModulesKind.Regex;

    /// <summary>True when PEFT would have put LoRA on the module <paramref name="moduleKey"/>.</summary>
    public bool IsTargeted(string moduleKey)
    {
        if (IsExcluded(moduleKey)) return false;
        if (IsModuleToSave(moduleKey)) return false;

        var targets = _config.TargetModules;
        switch (targets.Kind)
        {
            case TargetModulesKind.None:
            case TargetModulesKind.AllLinear:
                return true;
            case TargetModulesKind.Regex:
                return _targetRegex!.IsMatch(moduleKey);
        }

        if (targets.Names.Contains(moduleKey, StringComparer.Ordinal)) return true;
        bool found = targets.Names.Any(name => moduleKey.EndsWith("." + name, StringComparison.Ordinal));
        if (!found || _config.LayersToTransform is not { Count: > 0 } layers) return found;

        // layers_to_transform filters only this suffix branch.
        return LayerIndexOf(moduleKey) is { } index && layers.Any(layer => layer == index);
    }

    /// <summary><c>exclude_modules</c>: a string is a full-match regex; a list matches the exact key or a "." suffix.</summary>
    public bool IsExcluded(string moduleKey)
    {
        var exclude = _config.ExcludeModules;
        if (_excludeRegex is not null) return _excludeRegex.IsMatch(moduleKey);
        if (exclude.Kind != TargetModulesKind.Names) return false;
        return exclude.Names.Any(name => moduleKey == name || moduleKey.EndsWith("." + name, StringComparison.Ordinal));
    }

    /// <summary>True when the key is, or lies inside, a module named in <c>modules_to_save</c> (never targeted by LoRA).</summary>
    public bool IsModuleToSave(string moduleKey) => _modulesToSave.Any(regex => regex.IsMatch(moduleKey));

    /// <summary>
    /// The layer index PEFT reads for <c>layers_to_transform</c>: the first numbered segment, or the number after a
    /// <c>layers_pattern</c> segment. Null when there is none.
    /// </summary>
    public long? LayerIndexOf(string moduleKey)
    {
        foreach (var regex in _layerIndexRegexes)
        {
            var match = regex.Match(moduleKey);
            if (!match.Success) continue;
            // Python's int() of \d+ accepts any Unicode digits; a value outside long cannot equal a layer index anyway.
            return long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long index) ? index : long.MaxValue;
        }
        return null;
    }
}
