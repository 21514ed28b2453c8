using System.CommandLine;
using System.CommandLine.Help;
using LoraMerge.Cli.Describe;

namespace LoraMerge.Cli.Commands;

/// <summary>Builds the command tree of <c>lora-merge</c>.</summary>
internal static class CliCommands
{
    public const string ToolName = "lora-merge";

    public const string RootDescription =
        "Merge Hugging Face PEFT LoRA adapters into a base model (W' = W + s*B*A, exactly as PEFT's merge_and_unload), " +
        "streaming tensor by tensor, and inspect model and adapter folders.";

    public const string ExitCodesHelp = """
        Exit codes:
          0    success
          1    merge or input error, printed as 'error LORA1xxx: message (file)'
          2    usage error (bad or missing options)
          130  cancelled with Ctrl+C (nothing is left behind)
        """;

    private static string Epilogue(string examples) =>
        "Examples:\n" + Indent(examples) + "\n\n" + ExitCodesHelp;

    private static string Indent(string lines) =>
        string.Join("\n", lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "  " + l.TrimEnd('\r')));

    public static Command CreateRoot(CliConsole console, CancellationToken cancellationToken)
    {
        // A plain Command named like the tool (not RootCommand, which takes the name of the executable file) so that
        // help reads "lora-merge" whether it runs as a dotnet tool or as "dotnet LoraMerge.Cli.dll".
        var root = new Command(ToolName, RootDescription);
        var help = new HelpOption { Recursive = true };
        root.Add(help);
        root.Add(new VersionOption());

        var merge = new MergeCommandLine();
        var mergeCommand = merge.CreateCommand();
        mergeCommand.SetAction(parse => parse.GetValue(merge.Requests) is { Length: > 0 } requests
            ? new RequestMergeRunner(console, cancellationToken).Run(requests)
            : new MergeRunner(merge, console, cancellationToken).Run(parse));
        root.Add(mergeCommand);

        var inspect = new InspectCommandLine();
        var inspectCommand = inspect.CreateCommand();
        inspectCommand.SetAction(parse => new InspectRunner(inspect, console).Run(parse));
        root.Add(inspectCommand);

        var describe = new DescribeCommandLine();
        var describeCommand = describe.CreateCommand();
        describeCommand.SetAction(parse => new DescribeRunner(console, cancellationToken).Run(parse.GetValue(describe.Request)!));
        root.Add(describeCommand);

        var removeStale = describe.CreateRemoveStaleCommand();
        removeStale.Hidden = true;
        removeStale.SetAction(parse =>
        {
            foreach (var directory in parse.GetValue(describe.StaleOutputs) ?? []) StaleOutput.Remove(directory, console);
            return ExitCodes.Success;
        });
        root.Add(removeStale);

        var epilogues = new Dictionary<Command, string>
        {
            [root] = Epilogue(MergeCommandLine.Examples + "\n" + InspectCommandLine.Examples + "\n" + DescribeCommandLine.Examples),
            [describeCommand] = Epilogue(DescribeCommandLine.Examples),
            [mergeCommand] = Epilogue(MergeCommandLine.Examples),
            [inspectCommand] = Epilogue(InspectCommandLine.Examples),
        };
        help.Action = new HelpWithEpilogueAction((HelpAction)help.Action!, epilogues);
        return root;
    }
}
