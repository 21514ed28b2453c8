using LoraMerge.Formats;

namespace LoraMerge.Cli.Inspect;

internal static class Shapes
{
    public static string Format(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>"BF16 200, F32 1": counts per dtype, most frequent first.</summary>
    public static string CountByDType(IEnumerable<DType> dtypes) =>
        string.Join(", ", dtypes.GroupBy(d => d)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key.ToString(), StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}"));
}
