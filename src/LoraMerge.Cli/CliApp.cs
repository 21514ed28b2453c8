using System.CommandLine;
using System.CommandLine.Invocation;
using LoraMerge.Cli.Commands;
using LoraMerge.Diagnostics;

namespace LoraMerge.Cli;

/// <summary>The <c>lora-merge</c> entry point, callable in-process with any console and cancellation token.</summary>
internal static class CliApp
{
    public static int Run(string[] args) => Run(args, CliConsole.FromSystemConsole(), CancellationToken.None);

    public static int Run(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var root = CliCommands.CreateRoot(console, cancellationToken);
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            WriteUsageErrors(parse, console.Error);
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,
            // Ctrl+C is turned into cancellationToken by Program; System.CommandLine must not install its own handler.
            ProcessTerminationTimeout = null,
        };

        try
        {
            return parse.Invoke(invocation);
        }
        catch (Exception e) when (IsCancellation(e, cancellationToken))
        {
            console.Error.WriteLine("lora-merge: cancelled; nothing was written.");
            return ExitCodes.Cancelled;
        }
        catch (LoraException e)
        {
            console.Error.WriteLine(e.ToString());
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (Exception e)
        {
            // A bug, not a user error: say so, with the stack trace for the report.
            console.Error.WriteLine($"error: internal error in lora-merge, please report it: {e}");
            return ExitCodes.Failed;
        }
    }

    private static bool IsCancellation(Exception e, CancellationToken token) =>
        e is LoraException { Code: ErrorCodes.Cancelled }
        || (e is OperationCanceledException && token.IsCancellationRequested);

    private static void WriteUsageErrors(ParseResult parse, TextWriter error)
    {
        foreach (var parseError in parse.Errors)
            error.WriteLine($"error: {parseError.Message}");

        var commandPath = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            commandPath.Insert(0, result.Command.Name);
        error.WriteLine($"Run '{string.Join(' ', commandPath)} --help' for usage.");
    }
}
