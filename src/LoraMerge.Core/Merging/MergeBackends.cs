using LoraMerge.Diagnostics;

namespace LoraMerge.Merging;

/// <summary>Picks the hardware for a merge.</summary>
internal static class MergeBackends
{
    public static string Resolve(MergeBackendKind requested) => requested switch
    {
        MergeBackendKind.Cpu or MergeBackendKind.Auto => "cpu",
        _ => throw new LoraException(ErrorCodes.BackendUnavailable,
            "The CUDA backend was requested but this build has no usable CUDA device; use the cpu or auto backend."),
    };
}
