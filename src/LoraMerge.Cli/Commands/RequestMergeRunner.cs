using System.Globalization;
using LoraMerge.Cli.Parsing;
using LoraMerge.Cli.Progress;
using LoraMerge.Diagnostics;
using LoraMerge.Merging;
using LoraMerge.Requests;

namespace LoraMerge.Cli.Commands;

/// <summary>
/// Runs <c>lora-merge merge --request FILE</c>, the build's merge: every line on stdout is for the build log. Errors and
/// warnings are written in MSBuild's canonical form, placed at the file at fault or the <c>&lt;LoraAdapter&gt;</c> line
/// (<see cref="DiagnosticPlacement"/>), so the task that started this process logs them with their code and location.
/// </summary>
internal sealed class RequestMergeRunner(CliConsole console, CancellationToken cancellationToken)
{
    /// <summary>Seconds between progress lines of one model.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    public int Run(IReadOnlyList<string> requestFiles)
    {
        foreach (var file in requestFiles)
        {
            var exit = RunOne(file);
            if (exit != ExitCodes.Success) return exit;
        }
        return ExitCodes.Success;
    }

    private int RunOne(string requestFile)
    {
        ModelMergeRequest request;
        try
        {
            request = ModelMergeRequest.Read(requestFile);
        }
        catch (LoraException e)
        {
            Error(e.Code, DiagnosticPlacement.Of(e.FilePath, e.Message, ItemLocation.FileOnly(requestFile), "lora-merge"));
            return ExitCodes.Failed;
        }

        var subject = $"Model '{request.Model}'";
        var output = console.Out;
        output.WriteLine($"LoraMerge: merging {request.Options.Adapters.Count} adapter(s) into model '{request.Model}' -> {request.Options.OutputDirectory} (process {Environment.ProcessId})");
        var alreadyReported = ReportedWarnings.Load(request.ReportedWarningsFile);
        try
        {
            var result = MergeEngine.Merge(
                request.Options,
                new BuildProgressLog(output, request.Model, ProgressInterval),
                warning =>
                {
                    if (alreadyReported.Contains(warning)) return;
                    lock (output) output.WriteLine(DiagnosticPlacement.Of(warning.FilePath, warning.Message, request.Item, subject).Canonical("warning", warning.Code));
                },
                cancellationToken,
                onInfo: message => output.WriteLine($"LoraMerge: model '{request.Model}': {message}"));
            output.WriteLine(LoraMerge.Contracts.ToolOutput.Summary(request.Model, Summary(request, result)));
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is OperationCanceledException || e is LoraException { Code: ErrorCodes.Cancelled })
        {
            Error(ErrorCodes.Cancelled, DiagnosticPlacement.Of(null, "the merge was cancelled; no merged model was written.", request.Item, subject));
            return ExitCodes.Cancelled;
        }
        catch (LoraException e)
        {
            Error(e.Code, DiagnosticPlacement.Of(e.FilePath, e.Message, request.Item, subject));
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(ErrorCodes.OutputNotWritable,
                DiagnosticPlacement.Of(request.Options.OutputDirectory, $"the merged model could not be written: {e.Message}", request.Item, subject));
            return ExitCodes.Failed;
        }
    }

    /// <summary><c>Bofh &lt;- 1 adapter, 2.47 GB in 3.1 s</c>; the task adds where the model lands.</summary>
    private static string Summary(ModelMergeRequest request, MergeResult result)
    {
        var adapters = request.Options.Adapters.Count == 1 ? "1 adapter" : $"{request.Options.Adapters.Count} adapters";
        var size = ByteSize.Format(Directory.EnumerateFiles(result.OutputDirectory).Sum(f => new FileInfo(f).Length));
        var how = result.StoreEntry is null ? "" : " linked from the merge store (same inputs by content)";
        return string.Create(CultureInfo.InvariantCulture, $"{request.Model} <- {adapters}, {size}{how} in {result.Elapsed.TotalSeconds:F1} s");
    }

    private void Error(string code, DiagnosticPlacement placement)
    {
        console.Out.WriteLine(placement.Canonical("error", code));
        console.Out.Flush();
    }
}
