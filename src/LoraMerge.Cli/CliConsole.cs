namespace LoraMerge.Cli;

/// <summary>Where the CLI writes, so tests can capture it.</summary>
/// <param name="IsInteractive">True when stderr is a terminal: progress is one line redrawn in place.</param>
/// <param name="Width">Terminal width in columns, used to trim the progress line.</param>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool IsInteractive = false, int Width = 100)
{
    public static CliConsole FromSystemConsole()
    {
        bool interactive = !Console.IsErrorRedirected;
        int width = 100;
        if (interactive)
        {
            try
            {
                width = Console.WindowWidth > 0 ? Console.WindowWidth : width;
            }
            catch (IOException)
            {
                // No usable terminal size (e.g. a pseudo-terminal without one); keep the default.
            }
        }
        return new CliConsole(Console.Out, Console.Error, interactive, width);
    }
}
