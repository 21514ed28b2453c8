namespace LoraMerge.Diagnostics;

/// <summary>A failure the user can act on: a stable <c>LORA1xxx</c> code, a message, and the file it concerns.</summary>
public class LoraException : Exception
{
    public LoraException(string code, string message, string? filePath = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        FilePath = filePath;
    }

    /// <summary>The stable diagnostic code, e.g. <c>LORA1004</c>; listed in docs/diagnostics.md.</summary>
    public string Code { get; }

    /// <summary>The file (or folder) at fault, when there is one.</summary>
    public string? FilePath { get; }

    /// <summary>The CLI's one-line form: <c>error LORA1xxx: message (file)</c>.</summary>
    public override string ToString() =>
        FilePath is null ? $"error {Code}: {Message}" : $"error {Code}: {Message} ({FilePath})";
}
