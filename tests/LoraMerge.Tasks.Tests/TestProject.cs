using System.Reflection;
using Microsoft.Build.Framework;

namespace LoraMerge.Tasks.Tests;

/// <summary>A temporary project folder with a project file whose LoraAdapter lines are known, and copies of fixtures.</summary>
internal sealed class TestProject : IDisposable
{
    private TestProject(string directory, string projectFile)
    {
        Directory = directory;
        ProjectFile = projectFile;
    }

    public string Directory { get; }
    public string ProjectFile { get; }
    public string Intermediate => Path.Combine(Directory, "obj", "lora");

    public static string FixturesDir { get; } = typeof(TestProject).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "FixturesDir").Value!;

    /// <summary>Writes <paramref name="itemLines"/> (one element per line) into a project file: the first lands on line 3.</summary>
    public static TestProject Create(params string[] itemLines)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("lora-tasks-").FullName;
        var projectFile = Path.Combine(directory, "App.csproj");
        var lines = new List<string> { "<Project Sdk=\"Microsoft.NET.Sdk\">", "  <ItemGroup>" };
        lines.AddRange(itemLines.Select(l => "    " + l));
        lines.Add("  </ItemGroup>");
        lines.Add("</Project>");
        File.WriteAllLines(projectFile, lines);
        return new TestProject(directory, projectFile);
    }

    public static string RepoRoot { get; } = typeof(TestProject).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    /// <summary>Copies a fixture folder (e.g. <c>merge/linear_bf16/base</c>) to <paramref name="relative"/> in the project.</summary>
    public string CopyFixture(string fixture, string relative) => CopyFolder(Path.Combine(FixturesDir, fixture), relative);

    /// <summary>
    /// Copies the sample's tiny Llama and its adapter (<c>samples/AppWithAdapters</c>): the model with tokenizer files,
    /// which a GGUF needs, to <c>base</c> and <c>adapters/bofh</c>.
    /// </summary>
    public void CopySampleModel()
    {
        var sample = Path.Combine(RepoRoot, "samples", "AppWithAdapters");
        CopyFolder(Path.Combine(sample, "models", "tiny-llama"), "base");
        CopyFolder(Path.Combine(sample, "adapters", "bofh"), Path.Combine("adapters", "bofh"));
    }

    private string CopyFolder(string source, string relative)
    {
        var target = Path.Combine(Directory, relative);
        System.IO.Directory.CreateDirectory(target);
        foreach (var file in System.IO.Directory.EnumerateFiles(source))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    /// <summary>An item as MSBuild evaluates it from this project: defining-project metadata plus the given metadata.</summary>
    public EvaluatedItem Item(string include, params (string Name, string Value)[] metadata)
    {
        var values = new Dictionary<string, string>
        {
            ["DefiningProjectFullPath"] = ProjectFile,
            ["DefiningProjectDirectory"] = Directory + Path.DirectorySeparatorChar,
        };
        foreach (var (name, value) in metadata) values[name] = value;
        return new EvaluatedItem(include, values);
    }

    public LoraDescribeModels Describe(FakeBuildEngine engine, params EvaluatedItem[] items) => new()
    {
        BuildEngine = engine,
        Adapters = items,
        ProjectDirectory = Directory,
        IntermediateDirectory = Intermediate,
    };

    /// <summary>The merge task, running the tool built beside these tests.</summary>
    public static LoraMergeModels Merge(FakeBuildEngine engine, ITaskItem[] models) => new()
    {
        BuildEngine = engine,
        Models = models,
        ToolAssembly = Path.Combine(AppContext.BaseDirectory, "LoraMerge.Cli.dll"),
    };

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
