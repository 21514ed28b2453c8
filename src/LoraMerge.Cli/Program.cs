using System.Runtime.InteropServices;
using LoraMerge.Cli;

using var cancellation = new CancellationTokenSource();

// The first Ctrl+C (or SIGTERM) cancels the merge cleanly (the engine removes its temp folder); a second one ends the
// process at once, whatever it is waiting for (the next merge beside the same output removes what it leaves).
Console.CancelKeyPress += (_, e) =>
{
    if (cancellation.IsCancellationRequested) return;
    e.Cancel = true;
    cancellation.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    if (cancellation.IsCancellationRequested) return;
    context.Cancel = true;
    cancellation.Cancel();
});

return CliApp.Run(args, CliConsole.FromSystemConsole(), cancellation.Token);
