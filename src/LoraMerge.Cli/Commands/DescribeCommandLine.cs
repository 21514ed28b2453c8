using System.CommandLine;

namespace LoraMerge.Cli.Commands;

/// <summary>
/// <c>lora-merge describe --request FILE</c>: the build's describe step (the LoraDescribeModels task runs it as a child
/// process, so the MSBuild node never opens a model file), and the hidden <c>remove-stale DIR</c> the merge task runs
/// after it had to kill a merge.
/// </summary>
internal sealed class DescribeCommandLine
{
    public const string Examples = """
        lora-merge describe --request obj/Release/net10.0/lora/describe.json
        """;

    public Option<string> Request { get; } = new("--request")
    {
        Description = "The describe request the LoraMerge build step writes (docs/msbuild.md): the project's <LoraAdapter> items with their paths resolved, and its LoraMerge properties. Checks the items, writes each model's merge request and manifest, and runs every preflight check from file headers (no weights read). Output is for the build log: errors and warnings in MSBuild's form, at the <LoraAdapter> line.",
        HelpName = "FILE",
        Required = true,
    };

    public Argument<string[]> StaleOutputs { get; } = new("DIR")
    {
        Description = "Merged-model folders whose merge was killed.",
        Arity = ArgumentArity.OneOrMore,
    };

    public Command CreateCommand() =>
        new("describe", "Describe a project's models as the build does: item checks, merge requests, manifests for the generator, and the merge's preflight from file headers.")
        {
            Request,
        };

    /// <summary>Removes a killed merge's output folder and the temp folders dead processes left beside it.</summary>
    public Command CreateRemoveStaleCommand() =>
        new("remove-stale", "Remove merged-model folders whose merge was killed, and their stale temp folders (used by the build).")
        {
            StaleOutputs,
        };
}
