using LoraMerge.Diagnostics;
using LoraMerge.Tasks.Items;
using Microsoft.Build.Utilities;

namespace LoraMerge.Tasks.Logging;

/// <summary>Reports LORA1xxx diagnostics as MSBuild errors and warnings with a code and a location.</summary>
internal static class TaskLogExtensions
{
    public static void LogItemError(this TaskLoggingHelper log, ItemError error) =>
        log.LogError(null, error.Code, null, error.Location.File, error.Location.Line, error.Location.Column, 0, 0, error.Message);

    /// <summary>
    /// An engine failure: at the model or adapter file at fault when the engine names one, else at the item that asked
    /// for the model. The message always says which model and item it concerns.
    /// </summary>
    public static void LogLoraError(this TaskLoggingHelper log, LoraException exception, ItemLocation item, string subject)
    {
        var (file, line, column) = Where(exception.FilePath, item);
        log.LogError(null, exception.Code, null, file, line, column, 0, 0, $"{subject}: {exception.Message}{AtItem(exception.FilePath, item)}");
    }

    public static void LogLoraWarning(this TaskLoggingHelper log, LoraWarning warning, ItemLocation item, string subject)
    {
        var (file, line, column) = Where(warning.FilePath, item);
        log.LogWarning(null, warning.Code, null, file, line, column, 0, 0, $"{subject}: {warning.Message}{AtItem(warning.FilePath, item)}");
    }

    private static (string File, int Line, int Column) Where(string? filePath, ItemLocation item) =>
        string.IsNullOrEmpty(filePath) ? (item.File, item.Line, item.Column) : (filePath, 0, 0);

    private static string AtItem(string? filePath, ItemLocation item)
    {
        if (string.IsNullOrEmpty(filePath) || string.IsNullOrEmpty(item.File)) return "";
        return item.Line > 0 ? $" [item at {item.File}({item.Line},{item.Column})]" : $" [item in {item.File}]";
    }
}
