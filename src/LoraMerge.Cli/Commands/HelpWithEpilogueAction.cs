using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace LoraMerge.Cli.Commands;

/// <summary>The standard help, followed by the examples and exit codes of the command asked about.</summary>
internal sealed class HelpWithEpilogueAction(HelpAction standardHelp, IReadOnlyDictionary<Command, string> epilogues)
    : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        int exitCode = standardHelp.Invoke(parseResult);
        if (epilogues.TryGetValue(parseResult.CommandResult.Command, out var epilogue))
            parseResult.InvocationConfiguration.Output.WriteLine(epilogue.TrimEnd() + Environment.NewLine);
        return exitCode;
    }
}
