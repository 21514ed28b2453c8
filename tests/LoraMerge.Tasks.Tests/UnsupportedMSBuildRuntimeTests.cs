using System.Diagnostics;

namespace LoraMerge.Tasks.Tests;

/// <summary>
/// Issue 18: LORA1406 produced, not only listed: build/LoraMerge.targets stops a build on a .NET Framework MSBuild.
/// <c>MSBuildRuntimeType</c> is reserved, so the test plays that MSBuild through the targets' private copy of it
/// (<c>_LoraMSBuildRuntimeType</c>), and checks that the real .NET MSBuild passes the same check.
/// </summary>
public class UnsupportedMSBuildRuntimeTests
{
    [Fact]
    public async Task A_framework_msbuild_stops_the_build_with_LORA1406()
    {
        var (exitCode, output) = await RunPrepare("-p:_LoraMSBuildRuntimeType=Full");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("error LORA1406: LoraMerge needs the .NET MSBuild", output);
        Assert.Contains("this MSBuild runs on 'Full'", output);
    }

    [Fact]
    public async Task The_dotnet_msbuild_passes_the_runtime_check()
    {
        var (exitCode, output) = await RunPrepare();

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("LORA1406", output);
    }

    /// <summary>Runs the targets' first step (<c>_LoraPrepare</c>) on a net10.0 project with one adapter item.</summary>
    private static async Task<(int ExitCode, string Output)> RunPrepare(params string[] properties)
    {
        var directory = Directory.CreateTempSubdirectory("lora-msbuild-runtime-").FullName;
        try
        {
            var build = Path.Combine(TestProject.RepoRoot, "build");
            File.WriteAllText(Path.Combine(directory, "App.proj"), $"""
                <Project>
                  <Import Project="{build}/LoraMerge.props" />
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <TargetFrameworkIdentifier>.NETCoreApp</TargetFrameworkIdentifier>
                    <IntermediateOutputPath>obj/</IntermediateOutputPath>
                  </PropertyGroup>
                  <ItemGroup>
                    <LoraAdapter Include="adapter" BaseModel="base" />
                  </ItemGroup>
                  <Import Project="{build}/LoraMerge.targets" />
                </Project>
                """);
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "msbuild", "App.proj", "-t:_LoraPrepare", "-nodeReuse:false", "-nologo" }.Concat(properties))
                start.ArgumentList.Add(argument);
            start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
            start.Environment.Remove("MSBuildExtensionsPath");
            start.Environment.Remove("MSBuildSDKsPath");
            start.Environment.Remove("MSBUILD_EXE_PATH");
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, output + await error);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
