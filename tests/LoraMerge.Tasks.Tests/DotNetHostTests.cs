extern alias tasks;
using LoraMerge.Diagnostics;

using tasks::LoraMerge.Tasks.Tool;

namespace LoraMerge.Tasks.Tests;

/// <summary>
/// How the tasks find the dotnet host that runs the tool when MSBuild does not name one (Visual Studio's .NET Framework
/// MSBuild sets no DOTNET_HOST_PATH and runs on no .NET runtime): DOTNET_ROOT, PATH, the default folders; else LORA1408.
/// </summary>
public sealed class DotNetHostTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lora-host-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A .NET Framework host's view: no runtime folder, only the variables and folders given.</summary>
    private static HostSearchEnvironment Framework(Dictionary<string, string> variables, params string[] defaultFolders) => new()
    {
        GetVariable = name => variables.TryGetValue(name, out var value) ? value : null,
        RuntimeDirectory = null,
        DefaultInstallFolders = defaultFolders,
    };

    private string FakeHost(string folder)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, folder)).FullName;
        var host = Path.Combine(directory, DotNetHost.FileName);
        File.WriteAllText(host, "");
        return host;
    }

    [Fact]
    public void DOTNET_HOST_PATH_comes_first_then_DOTNET_ROOT_then_PATH_then_the_default_folders()
    {
        var named = FakeHost("named");
        var root = FakeHost("root");
        var onPath = FakeHost("onpath");
        var installed = FakeHost("installed");
        var all = new Dictionary<string, string>
        {
            ["DOTNET_HOST_PATH"] = named,
            ["DOTNET_ROOT"] = Path.GetDirectoryName(root)!,
            ["PATH"] = Path.Combine(_root, "missing") + Path.PathSeparator + Path.GetDirectoryName(onPath),
        };

        Assert.Equal(named, DotNetHost.Find(null, Framework(all, Path.GetDirectoryName(installed)!)));
        all.Remove("DOTNET_HOST_PATH");
        Assert.Equal(root, DotNetHost.Find(null, Framework(all, Path.GetDirectoryName(installed)!)));
        all.Remove("DOTNET_ROOT");
        Assert.Equal(onPath, DotNetHost.Find(null, Framework(all, Path.GetDirectoryName(installed)!)));
        all.Remove("PATH");
        Assert.Equal(installed, DotNetHost.Find(null, Framework(all, Path.GetDirectoryName(installed)!)));
        Assert.Null(DotNetHost.Find(null, Framework(all)));
    }

    [Fact]
    public void The_running_runtime_s_host_is_found_without_any_variable()
    {
        var found = DotNetHost.Find(null, new HostSearchEnvironment { GetVariable = _ => null, DefaultInstallFolders = [] });

        Assert.NotNull(found);
        Assert.Equal(DotNetHost.FileName, Path.GetFileName(found));
    }

    [Fact]
    public void No_host_anywhere_is_LORA1408_at_the_project_and_starts_nothing()
    {
        using var project = TestProject.Create();
        var item = project.Adapter("adapters/math", Model: "Math", BaseModel: "base");
        var engine = new FakeBuildEngine(project.ProjectFile);
        var task = project.Describe(engine, item);
        task.HostSearch = Framework([]);

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.DotNetHostNotFound, error.Code);
        Assert.Equal(project.ProjectFile, error.File);
        Assert.Contains("DOTNET_HOST_PATH", error.Message);
        Assert.Equal(0, task.ToolProcessId);
    }
}
