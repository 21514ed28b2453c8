using LoraMerge.Merging;

namespace LoraMerge.Requests;

/// <summary>The names of <see cref="MergeBackendKind"/> as <c>--backend</c>, <c>$(LoraMergeBackend)</c> and the request file write them.</summary>
public static class MergeBackendNames
{
    public static IReadOnlyList<string> Names { get; } = ["auto", "cpu", "cuda"];

    /// <summary>Case-insensitive; empty means auto.</summary>
    public static bool TryParse(string? text, out MergeBackendKind backend)
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

    public static string Name(MergeBackendKind backend) => backend switch
    {
        MergeBackendKind.Cpu => "cpu",
        MergeBackendKind.Cuda => "cuda",
        _ => "auto",
    };
}
