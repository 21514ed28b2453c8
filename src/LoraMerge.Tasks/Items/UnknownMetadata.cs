using LoraMerge.Contracts;
using Microsoft.Build.Framework;

namespace LoraMerge.Tasks.Items;

/// <summary>
/// <c>&lt;LoraAdapter&gt;</c> metadata LoraMerge does not read (a typo such as <c>Weigth</c> would otherwise merge with
/// the default silently), each with the closest known name when one is near enough to be the intended one.
/// </summary>
internal static class UnknownMetadata
{
    public static string[] Known => AdapterMetadata.Known;

    /// <summary>MSBuild's own item metadata, on every item, and what SDKs and IDEs commonly attach.</summary>
    private static readonly HashSet<string> Ignored = new(StringComparer.OrdinalIgnoreCase)
    {
        "FullPath", "RootDir", "Filename", "Extension", "RelativeDir", "Directory", "RecursiveDir", "Identity",
        "ModifiedTime", "CreatedTime", "AccessedTime", "DefiningProjectFullPath", "DefiningProjectDirectory",
        "DefiningProjectName", "DefiningProjectExtension", "OriginalItemSpec", "Visible", "Link", "DependentUpon",
        "CopyToOutputDirectory", "CopyToPublishDirectory",
    };

    /// <returns>(name, closest known name or null) for each metadata name LoraMerge does not read.</returns>
    public static IEnumerable<(string Name, string? Suggestion)> Find(ITaskItem item)
    {
        foreach (string name in item.MetadataNames.Cast<string>())
        {
            if (Ignored.Contains(name) || Known.Contains(name, StringComparer.OrdinalIgnoreCase))
                continue;
            var closest = Known.Select(k => (Name: k, Distance: Distance(name.ToLowerInvariant(), k.ToLowerInvariant())))
                .OrderBy(k => k.Distance).First();
            yield return (name, closest.Distance <= Math.Max(2, closest.Name.Length / 3) ? closest.Name : null);
        }
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
