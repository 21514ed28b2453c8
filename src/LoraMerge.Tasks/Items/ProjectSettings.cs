using System.Globalization;
using LoraMerge.Diagnostics;
using LoraMerge.Merging;

namespace LoraMerge.Tasks.Items;

/// <summary>The LoraMergeBackend and LoraMergeThreads properties, checked.</summary>
internal static class ProjectSettings
{
    public static bool TryParseBackend(string? text, out MergeBackendKind backend)
    {
        switch ((text ?? "").Trim().ToLowerInvariant())
        {
            case "":
            case "auto":
                backend = MergeBackendKind.Auto;
                return true;
            case "cpu":
                backend = MergeBackendKind.Cpu;
                return true;
            case "cuda":
                backend = MergeBackendKind.Cuda;
                return true;
            default:
                backend = MergeBackendKind.Auto;
                return false;
        }
    }

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
    public static (MergeBackendKind Backend, int Threads) Read(string? backendText, string? threadsText, string projectFile, List<ItemError> errors)
    {
        if (!TryParseBackend(backendText, out var backend))
        {
            errors.Add(new ItemError(ErrorCodes.InvalidProperty,
                $"LoraMergeBackend=\"{backendText}\" is not one of auto, cpu, cuda.", ItemLocation.FileOnly(projectFile)));
        }
        if (!TryParseThreads(threadsText, out var threads))
        {
            errors.Add(new ItemError(ErrorCodes.InvalidProperty,
                $"LoraMergeThreads=\"{threadsText}\" must be a whole number of worker threads, 0 meaning all cores.", ItemLocation.FileOnly(projectFile)));
        }
        return (backend, threads);
    }
}
