namespace LoraMerge.Diagnostics;

/// <summary>Something suspicious that does not stop a merge; reported as an MSBuild or CLI warning.</summary>
public sealed record LoraWarning(string Code, string Message, string? FilePath = null)
{
    public override string ToString() =>
        FilePath is null ? $"warning {Code}: {Message}" : $"warning {Code}: {Message} ({FilePath})";
}
