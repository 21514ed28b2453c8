using LoraMerge.Merging;

namespace LoraMerge.Cli.Progress;

/// <summary>Shows merge progress; <see cref="Complete"/> ends the display (a newline after a redrawn bar).</summary>
internal interface IMergeProgressView : IProgress<MergeProgress>
{
    /// <summary>Writes a message line (a warning) without garbling the progress display.</summary>
    void WriteLine(string line);

    void Complete();
}
