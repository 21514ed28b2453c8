using System.Reflection;

namespace LoraMerge.Cli.Tests;

/// <summary>The result of running lora-merge in-process.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static CliRun Invoke(params string[] args) => Invoke(CancellationToken.None, args);

    public static CliRun Invoke(CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = CliApp.Run(args, new CliConsole(output, error), cancellationToken);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}

internal static class TestPaths
{
    public static string FixturesDir { get; } = Metadata("FixturesDir");

    public static string MergeFixture(params string[] parts) =>
        Path.Combine([FixturesDir, "merge", .. parts]);

    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is missing.");
}

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lora-merge-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
