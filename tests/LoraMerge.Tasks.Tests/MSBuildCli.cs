using System.Diagnostics;
using System.Text.Json;

namespace LoraMerge.Tests.Tasks;

/// <summary>
/// <c>dotnet msbuild PROJECT -getItem:...</c> out of process, with the environment a test host leaks into children
/// removed, so build/LoraMerge.props and .targets are evaluated (and targets run) as a real build does.
/// </summary>
internal static class MSBuildCli
{
    /// <summary>The <c>-getItem</c> JSON; the command must succeed.</summary>
    public static JsonDocument GetItems(string directory, string project, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["msbuild", project, "-nodeReuse:false", .. arguments]) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output + error.Result);
        return JsonDocument.Parse(output);
    }
}
