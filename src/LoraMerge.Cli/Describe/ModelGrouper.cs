using LoraMerge.Requests;
using LoraMerge.Contracts;
using LoraMerge.Diagnostics;

namespace LoraMerge.Cli.Describe;

/// <summary>
/// Groups <c>Merge="true"</c> adapters into models by <c>Model</c> (item order kept) and checks that the items of one
/// model agree on BaseModel, SafeMerge, Embed, Format and GgufType, that no two models give one class name, and that no unmerged
/// adapter takes a merged model's name or another unmerged adapter's (names compared ignoring case: folders and resource names).
/// </summary>
internal static class ModelGrouper
{
    public static List<ModelGroup> Group(IReadOnlyList<AdapterItem> adapters, List<ItemError> errors)
    {
        var groups = new List<List<AdapterItem>>();
        // Case-sensitive: Model="Math" and Model="math" are two models (which then collide, reported below), never one
        // model that applies both adapters.
        var byName = new Dictionary<string, List<AdapterItem>>(StringComparer.Ordinal);
        foreach (var adapter in adapters.Where(a => a.Merge))
        {
            if (!byName.TryGetValue(adapter.Model, out var group))
            {
                group = [];
                byName.Add(adapter.Model, group);
                groups.Add(group);
            }
            group.Add(adapter);
        }

        var models = new List<ModelGroup>();
        foreach (var group in groups)
        {
            var first = group[0];
            var consistent = true;
            foreach (var other in group.Skip(1))
            {
                if (!string.Equals(other.BaseModel, first.BaseModel, PathComparison))
                {
                    errors.Add(new ItemError(ErrorCodes.ModelBaseConflict,
                        $"LoraAdapter '{other.ItemSpec}': Model '{first.Model}' already merges into base model '{first.BaseModel}' (item '{first.ItemSpec}'), but this item names '{other.BaseModel}'. Adapters of one Model must share BaseModel; give this item another Model.",
                        other.Location));
                    consistent = false;
                }
                consistent &= Agree(first, other, "SafeMerge", a => a.SafeMerge ? "true" : "false", errors);
                consistent &= Agree(first, other, "Embed", a => a.Embed ? "true" : "false", errors);
                consistent &= Agree(first, other, "Format", a => OutputFormatNames.Name(a.Formats), errors);
                consistent &= Agree(first, other, "GgufType", a => a.GgufTypeName, errors);
                consistent &= Agree(first, other, "Rounding", a => a.Rounding == LoraMerge.Merging.MergeRounding.Peft ? "peft" : "single", errors);
                consistent &= Agree(first, other, "Combination", a => a.Combination is { } c ? LoraMerge.Merging.CombinationTypes.Name(c.Type) : "", errors);
                consistent &= Agree(first, other, "Density", a => a.Combination?.Density?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "", errors);
                consistent &= Agree(first, other, "MajoritySignMethod", a => a.Combination is { } c ? LoraMerge.Merging.CombinationTypes.SignMethodName(c.MajoritySign) : "", errors);
                consistent &= Agree(first, other, "SvdRank", a => a.Combination?.SvdRank?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", errors);
                consistent &= Agree(first, other, "Namespace", a => a.Class.Namespace ?? "", errors);
                consistent &= Agree(first, other, "ClassName", a => a.Class.ClassName ?? "", errors);
                consistent &= Agree(first, other, "Access", a => a.Class.Internal ? "internal" : "public", errors);
                consistent &= Agree(first, other, "Seed", a => a.Combination?.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", errors);
            }
            if (consistent) models.Add(new ModelGroup(first.Model, first.BaseModel, group, first.SafeMerge, first.Embed, first.Formats, first.GgufType) { Rounding = first.Rounding, Combination = first.Combination, Class = first.Class });
        }

        CheckClassNames(groups, errors);

        var unmergedByName = new Dictionary<string, AdapterItem>(StringComparer.OrdinalIgnoreCase);
        foreach (var unmerged in adapters.Where(a => !a.Merge))
        {
            // Folders compare ignoring case: models/Math and models/math are one folder on Windows and macOS.
            if (groups.FirstOrDefault(g => string.Equals(g[0].Model, unmerged.Model, StringComparison.OrdinalIgnoreCase)) is { } group)
            {
                errors.Add(new ItemError(ErrorCodes.InvalidItemMetadata,
                    $"LoraAdapter '{unmerged.ItemSpec}' has Merge=\"false\" but Model '{unmerged.Model}' is also a merged model (item '{group[0].ItemSpec}'); both would be written to the same folder. Give it another Model.",
                    unmerged.Location));
            }
            else if (!unmergedByName.TryAdd(unmerged.Model, unmerged))
            {
                var other = unmergedByName[unmerged.Model];
                errors.Add(new ItemError(ErrorCodes.InvalidItemMetadata,
                    $"LoraAdapter '{unmerged.ItemSpec}' has Merge=\"false\" and Model '{unmerged.Model}', as item '{other.ItemSpec}' (Model '{other.Model}') does; both would be copied to the same folder. Give one of them another Model.",
                    unmerged.Location));
            }
        }
        return models;
    }

    /// <summary>
    /// Two models whose names differ only in what the class name drops (<c>bofh-v2</c>, <c>bofh_v2</c>) would both
    /// generate <c>BofhV2Model</c>; so would two models given one <c>ClassName</c> in one <c>Namespace</c>.
    /// </summary>
    private static void CheckClassNames(List<List<AdapterItem>> groups, List<ItemError> errors)
    {
        var byClass = new Dictionary<string, AdapterItem>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var first = group[0];
            var className = first.Class.FullNameFor(first.Model);
            if (byClass.TryAdd(className, first)) continue;
            var other = byClass[className];
            string clash = string.Equals(first.Model, other.Model, StringComparison.OrdinalIgnoreCase)
                ? $"differs from Model '{other.Model}' (item '{other.ItemSpec}') only in case: on Windows and macOS both are one folder, and both give the class name {className}"
                : $"gives the class name {className}, as Model '{other.Model}' does (item '{other.ItemSpec}')";
            errors.Add(new ItemError(ErrorCodes.InvalidItemMetadata,
                $"LoraAdapter '{first.ItemSpec}': Model '{first.Model}' {clash}. Give one of them another Model.",
                first.Location));
        }
    }

    private static bool Agree(AdapterItem first, AdapterItem other, string name, Func<AdapterItem, string> value, List<ItemError> errors)
    {
        if (value(first) == value(other)) return true;
        errors.Add(new ItemError(ErrorCodes.InvalidItemMetadata,
            $"LoraAdapter '{other.ItemSpec}': {name}=\"{value(other)}\" differs from item '{first.ItemSpec}' of the same Model '{first.Model}' ({name}=\"{value(first)}\"). {name} applies to the whole merged model; set it the same on every item.",
            other.Location));
        return false;
    }


    private static StringComparison PathComparison => PathContainment.Comparison;
}
