using System.CommandLine;
using LoraMerge.Cli.Inspect;
using LoraMerge.Diagnostics;
using LoraMerge.Gguf;
using LoraMerge.Merging;
using LoraMerge.Models;
using LoraMerge.Peft;

namespace LoraMerge.Cli.Commands;

/// <summary>Runs <c>lora-merge inspect</c>: a model summary, an adapter summary, or an adapter summary plus a merge plan.</summary>
internal sealed class InspectRunner(InspectCommandLine line, CliConsole console)
{
    public int Run(ParseResult parse)
    {
        var directory = parse.GetRequiredValue(line.Directory);
        var baseDirectory = parse.GetValue(line.Base);
        int? maxRows = parse.GetValue(line.All) ? null : InspectCommandLine.DefaultTableRows;

        if (File.Exists(directory) || IsGgufOnlyFolder(directory))
        {
            if (baseDirectory is not null)
            {
                console.Error.WriteLine("error: --base can only be used when DIR is an adapter folder (one with adapter_config.json).");
                return ExitCodes.Usage;
            }
            GgufSummaryWriter.Write(GgufFile.Read(File.Exists(directory) ? directory : Path.Combine(directory, GgufArtifact.FileName)), console.Out, maxRows);
            return ExitCodes.Success;
        }
        if (!Directory.Exists(directory))
            throw new LoraException(ErrorCodes.FileNotFound, "The folder does not exist.", Path.GetFullPath(directory));

        if (!File.Exists(Path.Combine(directory, AdapterConfig.FileName)))
        {
            if (baseDirectory is not null)
            {
                console.Error.WriteLine("error: --base can only be used when DIR is an adapter folder (one with adapter_config.json).");
                return ExitCodes.Usage;
            }
            ModelSummaryWriter.Write(ModelDirectory.Open(directory), console.Out, maxRows);
            return ExitCodes.Success;
        }

        var adapter = PeftAdapter.Open(directory);
        AdapterSummaryWriter.Write(adapter, console.Out, maxRows);
        if (baseDirectory is null) return ExitCodes.Success;

        console.Out.WriteLine();
        console.Out.Flush();
        var options = new MergeOptions
        {
            BaseModelDirectory = baseDirectory,
            Adapters = [new AdapterInput(directory)],
            // Planning reads headers only; the output folder is never created.
            OutputDirectory = Path.Combine(Path.GetTempPath(), "lora-merge-inspect-" + Guid.NewGuid().ToString("N")),
        };
        var plan = MergeEngine.Plan(options, warning => console.Error.WriteLine(warning.ToString()));
        MergePreviewWriter.Write(plan, console.Out, maxRows);
        return ExitCodes.Success;
    }

    /// <summary>A merged folder written with <c>--format gguf</c>: model.gguf and no config.json.</summary>
    private static bool IsGgufOnlyFolder(string directory) =>
        File.Exists(Path.Combine(directory, GgufArtifact.FileName)) && !File.Exists(Path.Combine(directory, ModelFolderLayout.ConfigFileName));
}
