using System.CommandLine;
using System.Globalization;
using LoraMerge.Cli.Parsing;
using LoraMerge.Cli.Progress;
using LoraMerge.Diagnostics;
using LoraMerge.Merging;
using LoraMerge.Requests;

namespace LoraMerge.Cli.Commands;

/// <summary>Runs <c>lora-merge merge</c>: builds <see cref="MergeOptions"/>, shows progress and warnings, prints a summary.</summary>
internal sealed class MergeRunner(MergeCommandLine line, CliConsole console, CancellationToken cancellationToken)
{
    public int Run(ParseResult parse)
    {
        var options = ToOptions(parse);
        CheckOutputFolder(options, parse.GetValue(line.Force));

        IMergeProgressView view = console.IsInteractive
            ? new TerminalProgressBar(console.Error, console.Width)
            : new PlainProgressLog(console.Error);
        MergeResult result;
        try
        {
            result = MergeEngine.Merge(options, view, warning => view.WriteLine(warning.ToString()), cancellationToken,
                onInfo: message => view.WriteLine($"info: {message}"));
        }
        finally
        {
            view.Complete();
        }

        console.Out.WriteLine(result.StoreEntry is { } entry
            ? string.Create(CultureInfo.InvariantCulture,
                $"Linked {result.OutputDirectory} from the merge store ({entry}): same inputs by content, nothing merged; {ProgressText.FormatDuration(result.Elapsed)}, {result.Warnings.Count} warning(s).")
            : string.Create(CultureInfo.InvariantCulture,
                $"Merged {options.Adapters.Count} adapter(s) into {result.OutputDirectory}: {ByteSize.Format(result.BytesWritten)} in {ProgressText.FormatDuration(result.Elapsed)}, {result.Warnings.Count} warning(s)."));
        return ExitCodes.Success;
    }

    internal MergeOptions ToOptions(ParseResult parse)
    {
        var adapters = AdapterWeights.Pair(parse.GetValue(line.Adapters) ?? [], parse.GetValue(line.Weights) ?? []);
        return new MergeOptions
        {
            BaseModelDirectory = parse.GetRequiredValue(line.Base),
            Adapters = adapters,
            OutputDirectory = parse.GetRequiredValue(line.Out),
            SafeMerge = !parse.GetValue(line.NoSafeMerge),
            Rounding = parse.GetValue(line.Rounding) == "peft" ? MergeRounding.Peft : MergeRounding.Single,
            Combination = parse.GetValue(line.Combination) is { } combinationName && CombinationTypes.TryParse(combinationName, out var combinationType)
                ? new AdapterCombination(combinationType, parse.GetValue(line.Density),
                    parse.GetValue(line.MajoritySignMethod) == "frequency" ? LoraMerge.Merging.MajoritySignMethod.Frequency : LoraMerge.Merging.MajoritySignMethod.Total,
                    parse.GetValue(line.SvdRank), parse.GetValue(line.Seed) ?? AdapterCombination.DefaultSeed)
                : null,
            MaxShardSize = parse.GetValue(line.MaxShardSize),
            Threads = parse.GetValue(line.Threads),
            Backend = MergeBackendNames.TryParse(parse.GetValue(line.Backend), out var backend) ? backend : MergeBackendKind.Auto,
            Formats = FormatOptions.Parse(parse.GetValue(line.Format) ?? "safetensors"),
            GgufType = parse.GetValue(line.GgufType) is { } type ? FormatOptions.ParseGgufType(type) : null,
            Durable = !parse.GetValue(line.NoFsync),
            Store = parse.GetValue(line.Store),
            // CheckOutputFolder already refused a non-empty folder without --force; an empty one may be replaced.
            Overwrite = true,
        };
    }

    /// <summary>
    /// Refuses a non-empty --out without --force, and an --out that is (or holds) one of the inputs, which replacing
    /// would destroy.
    /// </summary>
    private static void CheckOutputFolder(MergeOptions options, bool force)
    {
        // The engine refuses this too (MergeOptionsValidator, same PathContainment rule); checked here first so the
        // message names --out rather than the folder being non-empty.
        var output = Path.GetFullPath(options.OutputDirectory);
        foreach (var input in options.Adapters.Select(a => a.Directory).Prepend(options.BaseModelDirectory))
        {
            if (PathContainment.IsSameOrInside(input, output))
                throw new LoraException(ErrorCodes.InvalidMergeOptions,
                    $"--out must not be an input folder or contain one ({input}).", options.OutputDirectory);
        }

        if (!force && Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new LoraException(ErrorCodes.OutputNotWritable,
                "The output folder exists and is not empty; pass --force to replace it.", options.OutputDirectory);
        if (File.Exists(output))
            throw new LoraException(ErrorCodes.OutputNotWritable, "--out names a file, not a folder.", options.OutputDirectory);
    }
}
