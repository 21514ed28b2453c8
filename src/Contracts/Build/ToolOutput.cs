namespace LoraMerge.Contracts;

/// <summary>
/// What the <c>lora-merge</c> child prints for the task besides progress and MSBuild-form diagnostics: one summary line
/// per model, <c>##lora-merge summary &lt;Model&gt;&lt;TAB&gt;&lt;text&gt;</c>, which the task turns into the one
/// line a build shows per merged model at the default verbosity.
/// </summary>
internal static class ToolOutput
{
    private const string SummaryPrefix = "##lora-merge summary ";

    public static string Summary(string model, string text) => SummaryPrefix + model + "\t" + text;

    public static bool TryParseSummary(string line, out string model, out string text)
    {
        model = text = "";
        if (!line.StartsWith(SummaryPrefix, System.StringComparison.Ordinal))
            return false;
        var tab = line.IndexOf('\t', SummaryPrefix.Length);
        if (tab < 0)
            return false;
        model = line.Substring(SummaryPrefix.Length, tab - SummaryPrefix.Length);
        text = line.Substring(tab + 1).TrimEnd('\r');
        return true;
    }
}
