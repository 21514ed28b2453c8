namespace LoraMerge.Bench;

internal static class Statistics
{
    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[(sorted.Count - 1) / 2];
    }
}
