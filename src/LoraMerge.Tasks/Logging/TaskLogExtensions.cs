using LoraMerge.Diagnostics;
using LoraMerge.Requests;
using LoraMerge.Tasks.Items;
using Microsoft.Build.Utilities;

namespace LoraMerge.Tasks.Logging;

/// <summary>Reports LORA1xxx diagnostics as MSBuild errors and warnings with a code and a location.</summary>
internal static class TaskLogExtensions
{
    public static void LogItemError(this TaskLoggingHelper log, ItemError error) =>
        log.LogError(null, error.Code, null, error.Location.File, error.Location.Line, error.Location.Column, 0, 0, error.Message);

    /// <summary>An engine failure, placed as <see cref="DiagnosticPlacement"/> says; the message names the model and item.</summary>
    public static void LogLoraError(this TaskLoggingHelper log, LoraException exception, ItemLocation item, string subject)
    {
        var at = DiagnosticPlacement.Of(exception.FilePath, exception.Message, item, subject);
        log.LogError(null, exception.Code, null, at.File, at.Line, at.Column, 0, 0, at.Message);
    }

    public static void LogLoraWarning(this TaskLoggingHelper log, LoraWarning warning, ItemLocation item, string subject)
    {
        var at = DiagnosticPlacement.Of(warning.FilePath, warning.Message, item, subject);
        log.LogWarning(null, warning.Code, null, at.File, at.Line, at.Column, 0, 0, at.Message);
    }
}
