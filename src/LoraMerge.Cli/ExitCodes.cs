namespace LoraMerge.Cli;

/// <summary>The process exit codes of <c>lora-merge</c> (documented in docs/cli.md).</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The inputs could not be merged or read (a <c>LORA1xxx</c> error was printed).</summary>
    public const int Failed = 1;

    /// <summary>The command line itself is wrong.</summary>
    public const int Usage = 2;

    /// <summary>Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
