using System.Globalization;
using LoraMerge.Diagnostics;
using LoraMerge.Merging;
using LoraMerge.Requests;

namespace LoraMerge.Cli.Describe;

/// <summary>
/// The LoraMergeBackend and LoraMergeThreads properties, checked (read once, by the describe step), and the merge store
/// (<c>$(LoraMergeStoreDirectory)</c>; null for none).
/// </summary>
internal sealed record ProjectSettings(MergeBackendKind Backend, int Threads)
{
    public string? StoreDirectory { get; init; }

    public static bool TryParseThreads(string? text, out int threads)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            threads = 0;
            return true;
        }
        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out threads);
    }

    /// <summary>Parses both; adds LORA1405 errors at the project file for values that do not parse.</summary>
    public static ProjectSettings Read(string? backendText, string? threadsText, string projectFile, List<ItemError> errors)
    {
        if (!MergeBackendNames.TryParse(backendText, out var backend))
        {
            errors.Add(new ItemError(ErrorCodes.InvalidProperty,
                $"LoraMergeBackend=\"{backendText}\" is not one of {string.Join(", ", MergeBackendNames.Names)}.", ItemLocation.FileOnly(projectFile)));
        }
        if (!TryParseThreads(threadsText, out var threads))
        {
            errors.Add(new ItemError(ErrorCodes.InvalidProperty,
                $"LoraMergeThreads=\"{threadsText}\" must be a whole number of worker threads, 0 meaning all cores.", ItemLocation.FileOnly(projectFile)));
        }
        return new ProjectSettings(backend, threads);
    }
}
