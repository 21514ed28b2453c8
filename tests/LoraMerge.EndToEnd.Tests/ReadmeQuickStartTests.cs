using System.Text.RegularExpressions;

namespace LoraMerge.EndToEnd.Tests;

/// <summary>
/// README.md's quick start (the section between <c>&lt;!-- quickstart</c> and <c>&lt;!-- /quickstart --&gt;</c>), run as
/// written: its shell lines in bash, its csproj snippet added to the new project, its Program.cs as the program.
/// Only the two <c>dotnet pack</c> lines are not run again: the fixture packed those two projects at the same version.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed partial class ReadmeQuickStartTests(PackageFixture package)
{
    [Fact]
    public void The_quick_start_builds_and_runs_a_new_console_app()
    {
        var section = QuickStartSection(File.ReadAllText(Path.Combine(PackageFixture.RepoRoot, "README.md")));
        var blocks = CodeBlock().Matches(section).Select(m => (Language: m.Groups[1].Value, Text: m.Groups[2].Value)).ToArray();
        Assert.Equal(["bash", "xml", "csharp", "bash"], blocks.Select(b => b.Language));
        var (setup, item, program, run) = (blocks[0].Text, blocks[1].Text, blocks[2].Text, blocks[3].Text);

        var packLines = setup.Split('\n').Where(l => l.StartsWith("dotnet pack ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, packLines.Length);
        Assert.Contains("src/LoraMerge.Runtime\"", packLines[0]);
        Assert.Contains("src/LoraMerge.Tasks\"", packLines[1]);

        // A stand-in for the repository root: the fixture's packages where the pack lines put theirs, the real samples.
        var root = Directory.CreateTempSubdirectory("lora-e2e-readme-").FullName;
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(root, "repo", "artifacts", "packages")).FullName;
            foreach (var nupkg in Directory.EnumerateFiles(package.Feed, "*.nupkg"))
                File.Copy(nupkg, Path.Combine(feed, Path.GetFileName(nupkg)));
            Directory.CreateSymbolicLink(Path.Combine(root, "repo", "samples"), Path.Combine(PackageFixture.RepoRoot, "samples"));
            var temp = Directory.CreateDirectory(Path.Combine(root, "tmp")).FullName;
            // Nothing from or into the user's global NuGet folder or hash cache.
            (string, string)[] environment =
            [
                ("TMPDIR", temp),
                ("NUGET_PACKAGES", Path.Combine(root, "nuget-packages")),
                ("LORAMERGE_CACHE_DIR", Path.Combine(root, "cache")),
            ];

            var appDirectoryFile = Path.Combine(root, "app-directory");
            var script = "set -euo pipefail\n"
                + string.Join('\n', setup.Split('\n').Where(l => !packLines.Contains(l)))
                + $"\npwd > '{appDirectoryFile}'\n";
            var setupRun = DotnetCli.RunProgram("bash", Path.Combine(root, "repo"), ["-c", script], environment);
            Assert.True(setupRun.ExitCode == 0, setupRun.ToString());
            var app = File.ReadAllText(appDirectoryFile).Trim();
            Assert.StartsWith(temp, app);
            Assert.Equal("MyApp", Path.GetFileName(app));

            var projectFile = Path.Combine(app, "MyApp.csproj");
            var project = File.ReadAllText(projectFile);
            Assert.Contains("<PackageReference Include=\"LoraMerge\" Version=\"0.1.0\" />", project);
            File.WriteAllText(projectFile, project.Replace("</Project>", item + "</Project>", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(app, "Program.cs"), program);

            var appRun = DotnetCli.RunProgram("bash", app, ["-c", "set -euo pipefail\n" + run], environment);

            Assert.True(appRun.ExitCode == 0, appRun.ToString());
            using var baseModel = LoraMerge.Formats.SafetensorsFile.Open(
                Path.Combine(PackageFixture.RepoRoot, "samples", "AppWithAdapters", "models", "tiny-llama", "model.safetensors"));
            var q = baseModel.Header.Find("model.layers.0.self_attn.q_proj.weight")!;
            Assert.Contains($"model.layers.0.self_attn.q_proj.weight {q.DType} [{string.Join(", ", q.Shape)}]", appRun.Output);
            Assert.True(File.Exists(Path.Combine(app, "bin", "Debug", "net10.0", "models", "Math", "model.safetensors")));
            Assert.Empty(Directory.GetFiles(Path.Combine(app, "bin"), "*.xml", SearchOption.AllDirectories));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string QuickStartSection(string readme)
    {
        var start = readme.IndexOf("<!-- quickstart:", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- /quickstart -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has no quick start section between its markers");
        return readme[start..end];
    }

    [GeneratedRegex("^```(\\w+)\\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
