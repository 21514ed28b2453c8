namespace LoraMerge.Merging;

/// <summary>
/// PEFT's <c>add_weighted_adapter</c> combination types (docs/merge-semantics.md, "Combining adapters"): how the LoRA
/// adapters of one model become one combined adapter before it is merged.
/// </summary>
public enum CombinationType
{
    Cat,
    Linear,
    Svd,
    Ties,
    TiesSvd,
    DareLinear,
    DareTies,
    DareLinearSvd,
    DareTiesSvd,
    MagnitudePrune,
    MagnitudePruneSvd,
}

/// <summary>How ties-type combinations elect the sign of each element (PEFT's <c>majority_sign_method</c>).</summary>
public enum MajoritySignMethod
{
    /// <summary>The sign of the sum of the (pruned) values.</summary>
    Total,

    /// <summary>The sign that more (pruned) values have.</summary>
    Frequency,
}

/// <summary>
/// Combine the model's adapters as PEFT's <c>add_weighted_adapter(adapters, weights, combination_type=Type, ...)</c>
/// does, then merge the combined adapter. <see cref="Seed"/> drives DARE's random pruning (the stream is specified in
/// docs/merge-semantics.md).
/// </summary>
public sealed record AdapterCombination(
    CombinationType Type,
    double? Density = null,
    MajoritySignMethod MajoritySign = MajoritySignMethod.Total,
    int? SvdRank = null,
    ulong Seed = AdapterCombination.DefaultSeed)
{
    public const ulong DefaultSeed = 0;
}

/// <summary>The names PEFT spells the combination types with, and what each type does.</summary>
public static class CombinationTypes
{
    private static readonly (string Name, CombinationType Type)[] All =
    [
        ("cat", CombinationType.Cat),
        ("linear", CombinationType.Linear),
        ("svd", CombinationType.Svd),
        ("ties", CombinationType.Ties),
        ("ties_svd", CombinationType.TiesSvd),
        ("dare_linear", CombinationType.DareLinear),
        ("dare_ties", CombinationType.DareTies),
        ("dare_linear_svd", CombinationType.DareLinearSvd),
        ("dare_ties_svd", CombinationType.DareTiesSvd),
        ("magnitude_prune", CombinationType.MagnitudePrune),
        ("magnitude_prune_svd", CombinationType.MagnitudePruneSvd),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(a => a.Name).ToArray();

    public static string Name(CombinationType type) => All.First(a => a.Type == type).Name;

    public static bool TryParse(string? name, out CombinationType type)
    {
        foreach (var (n, t) in All)
            if (string.Equals(n, name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                type = t;
                return true;
            }
        type = default;
        return false;
    }

    public static bool TryParseSignMethod(string? name, out MajoritySignMethod method)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "total": method = MajoritySignMethod.Total; return true;
            case "frequency": method = MajoritySignMethod.Frequency; return true;
            default: method = default; return false;
        }
    }

    public static string SignMethodName(MajoritySignMethod method) => method == MajoritySignMethod.Frequency ? "frequency" : "total";

    /// <summary>Types that take an SVD of the combined delta (the others combine the A and B factors).</summary>
    public static bool IsSvd(CombinationType type) => type is CombinationType.Svd or CombinationType.TiesSvd or CombinationType.DareLinearSvd
        or CombinationType.DareTiesSvd or CombinationType.MagnitudePruneSvd;

    /// <summary>Types that combine A and B separately, stacked, so every adapter must have the same rank.</summary>
    public static bool CombinesFactors(CombinationType type) => type is CombinationType.Linear or CombinationType.Ties
        or CombinationType.DareLinear or CombinationType.DareTies or CombinationType.MagnitudePrune;

    /// <summary>What is done to each adapter's tensor before the weighted combination.</summary>
    public static Pruning PruningOf(CombinationType type) => type switch
    {
        CombinationType.Ties or CombinationType.TiesSvd or CombinationType.MagnitudePrune or CombinationType.MagnitudePruneSvd => Pruning.Magnitude,
        CombinationType.DareLinear or CombinationType.DareTies or CombinationType.DareLinearSvd or CombinationType.DareTiesSvd => Pruning.Random,
        _ => Pruning.None,
    };

    /// <summary>Types whose combination is TIES's sign election and disjoint mean (else a weighted sum).</summary>
    public static bool ElectsSign(CombinationType type) => type is CombinationType.Ties or CombinationType.TiesSvd
        or CombinationType.DareTies or CombinationType.DareTiesSvd;

    /// <summary>Types that need a density (PEFT fails without one).</summary>
    public static bool NeedsDensity(CombinationType type) => PruningOf(type) != Pruning.None;
}

/// <summary>The per-tensor sparsification of a combination type.</summary>
public enum Pruning
{
    None,

    /// <summary>Keep the <c>int(density·n)</c> largest magnitudes.</summary>
    Magnitude,

    /// <summary>DARE: keep each value with probability density, divide the kept ones by density.</summary>
    Random,
}
