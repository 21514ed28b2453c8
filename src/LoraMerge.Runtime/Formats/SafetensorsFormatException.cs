using LoraMerge.Diagnostics;

namespace LoraMerge.Formats;

/// <summary>A safetensors file, or a sharded checkpoint's index, that breaks the format's rules.</summary>
public sealed class SafetensorsFormatException : LoraException
{
    public SafetensorsFormatException(
        string code, string filePath, string reason, string? detail = null, string? tensorName = null, Exception? inner = null)
        : base(code, BuildMessage(reason, detail, tensorName), filePath, inner)
    {
        Reason = reason;
        TensorName = tensorName;
    }

    /// <summary>A short, stable description of what is wrong, e.g. "ranges overlap".</summary>
    public string Reason { get; }

    /// <summary>The tensor at fault, when the failure concerns one.</summary>
    public string? TensorName { get; }

    private static string BuildMessage(string reason, string? detail, string? tensorName)
    {
        var subject = tensorName is null ? "invalid safetensors data" : $"invalid safetensors tensor '{tensorName}'";
        return detail is null ? $"{subject}: {reason}" : $"{subject}: {reason} ({detail})";
    }
}
