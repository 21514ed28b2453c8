using LoraMerge.Merging;

namespace LoraMerge.Cli.Parsing;

/// <summary>Pairs <c>--weight</c> values with <c>--adapter</c> folders in command-line order; missing weights are 1.</summary>
internal static class AdapterWeights
{
    public const double DefaultWeight = 1.0;

    /// <summary>Null when the pairing is valid, else the message a usage error shows.</summary>
    public static string? Validate(int adapterCount, int weightCount) =>
        weightCount > adapterCount
            ? $"{weightCount} --weight values were given for {adapterCount} --adapter folder(s); give at most one weight per adapter."
            : null;

    public static IReadOnlyList<AdapterInput> Pair(IReadOnlyList<string> adapters, IReadOnlyList<double> weights)
    {
        if (Validate(adapters.Count, weights.Count) is { } error)
            throw new ArgumentException(error, nameof(weights));

        var inputs = new AdapterInput[adapters.Count];
        for (int i = 0; i < adapters.Count; i++)
            inputs[i] = new AdapterInput(adapters[i], i < weights.Count ? weights[i] : DefaultWeight);
        return inputs;
    }
}
