using System.Runtime.InteropServices;
using LoraMerge.Cli;

using var cancellation = new CancellationTokenSource();

// The first Ctrl+C (or SIGTERM) cancels the merge cleanly (the engine removes its temp folder); a second Ctrl+C kills.
Console.CancelKeyPress += (_, e) =>
{
    if (cancellation.IsCancellationRequested) return;
    e.Cancel = true;
    cancellation.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

return CliApp.Run(args, CliConsole.FromSystemConsole(), cancellation.Token);
