extern alias tasks;
using System.Reflection;
using System.Security;
using Microsoft.Build.Framework;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

/// <summary>
/// A temporary project folder whose project file is written from the items the test declares (<see cref="Adapter"/>),
/// so the <c>&lt;LoraAdapter&gt;</c> line, the adapter folder and the evaluated item come from one declaration.
/// </summary>
internal sealed class TestProject : IDisposable
{
    /// <summary>The project file's lines before the first item line: items start at line 3.</summary>
    private static readonly string[] Header = ["<Project Sdk=\"Microsoft.NET.Sdk\">", "  <ItemGroup>"];

    private readonly List<string> _lines = [];

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

    public static string RepoRoot { get; } = typeof(TestProject).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    /// <summary>
    /// A project with raw item lines (one element per line; the first lands on line 3), for what <see cref="Adapter"/>
    /// does not render: other item types, multi-value includes, an element spread over lines. Items of such lines come
    /// from <see cref="ItemOfRawLine"/>.
    /// </summary>
    public static TestProject Create(params string[] rawLines)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("lora-tasks-").FullName;
        var project = new TestProject(directory, Path.Combine(directory, "App.csproj"));
        project._lines.AddRange(rawLines);
        project.Save();
        return project;
    }

    /// <summary>
    /// Declares one <c>&lt;LoraAdapter&gt;</c>: writes its line (the next one, <see cref="EvaluatedItem.Line"/>) with the
    /// metadata given, creates its folder (unless <paramref name="CreateFolder"/> is false), and returns the item as
    /// MSBuild evaluates that line: build/LoraMerge.props' item defaults, overridden by the metadata given, plus the
    /// defining project. Metadata names are the documented ones (docs/msbuild.md); <paramref name="Other"/> takes any
    /// name (after the named ones; a name given both ways takes its <paramref name="Other"/> value).
    /// </summary>
    public EvaluatedItem Adapter(
        string include,
        string? Model = null,
        string? BaseModel = null,
        string? Weight = null,
        string? Merge = null,
        string? SafeMerge = null,
        string? Embed = null,
        string? Format = null,
        string? GgufType = null,
        string? Rounding = null,
        (string Name, string Value)[]? Other = null,
        bool CreateFolder = true)
    {
        var declared = new List<(string Name, string Value)>();
        void Add(string name, string? value)
        {
            if (value is not null) declared.Add((name, value));
        }
        Add(nameof(Model), Model);
        Add(nameof(BaseModel), BaseModel);
        Add(nameof(Weight), Weight);
        Add(nameof(Merge), Merge);
        Add(nameof(SafeMerge), SafeMerge);
        Add(nameof(Embed), Embed);
        Add(nameof(Format), Format);
        Add(nameof(GgufType), GgufType);
        Add(nameof(Rounding), Rounding);
        foreach (var (name, value) in Other ?? [])
        {
            var index = declared.FindIndex(d => d.Name == name);
            if (index >= 0) declared[index] = (name, value);
            else declared.Add((name, value));
        }

        var metadata = new Dictionary<string, string>(ItemDefaults) { ["DefiningProjectFullPath"] = ProjectFile, ["DefiningProjectDirectory"] = Directory + Path.DirectorySeparatorChar };
        foreach (var (name, value) in declared) metadata[name] = value;
        _lines.Add(Render(include, declared));
        var item = new EvaluatedItem(include, metadata) { Line = Header.Length + _lines.Count };
        Save();
        if (CreateFolder) System.IO.Directory.CreateDirectory(Path.Combine(Directory, include));
        return item;
    }

    /// <summary>Changes one metadata value of a declared item: its line in the project file and the item alike.</summary>
    public void Set(EvaluatedItem item, string name, string value)
    {
        var declared = Parse(_lines[item.Line - Header.Length - 1]);
        var index = declared.FindIndex(d => d.Name == name);
        if (index >= 0) declared[index] = (name, value);
        else declared.Add((name, value));
        _lines[item.Line - Header.Length - 1] = Render(item.ItemSpec, declared);
        item.SetMetadata(name, value);
        Save();
    }

    /// <summary>
    /// An item of a raw line (see <see cref="Create"/>): the defining project and the metadata given, nothing else.
    /// Only for lines <see cref="Adapter"/> cannot write.
    /// </summary>
    public EvaluatedItem ItemOfRawLine(string include) => new(include, new Dictionary<string, string>
    {
        ["DefiningProjectFullPath"] = ProjectFile,
        ["DefiningProjectDirectory"] = Directory + Path.DirectorySeparatorChar,
    });

    /// <summary>What build/LoraMerge.props' ItemDefinitionGroup gives every LoraAdapter when no property is set.</summary>
    private static readonly Dictionary<string, string> ItemDefaults = new()
    {
        ["BaseModel"] = "",
        ["Merge"] = "true",
        ["Model"] = "",
        ["Weight"] = "1",
        ["SafeMerge"] = "true",
        ["Embed"] = "false",
        ["Format"] = "safetensors",
        ["GgufType"] = "",
    };

    private static string Render(string include, IEnumerable<(string Name, string Value)> metadata) =>
        $"<LoraAdapter Include=\"{SecurityElement.Escape(include)}\""
        + string.Concat(metadata.Select(m => $" {m.Name}=\"{SecurityElement.Escape(m.Value)}\""))
        + " />";

    private static List<(string Name, string Value)> Parse(string line)
    {
        var element = System.Xml.Linq.XElement.Parse(line);
        return element.Attributes().Where(a => a.Name.LocalName != "Include").Select(a => (a.Name.LocalName, a.Value)).ToList();
    }

    private void Save() =>
        File.WriteAllLines(ProjectFile, [.. Header, .. _lines.Select(l => "    " + l), "  </ItemGroup>", "</Project>"]);

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
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        return target;
    }

    public LoraDescribeModels Describe(FakeBuildEngine engine, params EvaluatedItem[] items) => new()
    {
        BuildEngine = engine,
        Adapters = items,
        ProjectDirectory = Directory,
        IntermediateDirectory = Intermediate,
        ToolAssembly = ToolAssembly,
    };

    /// <summary>The lora-merge tool built beside these tests, which both tasks start as a child process.</summary>
    public static string ToolAssembly { get; } = Path.Combine(AppContext.BaseDirectory, "LoraMerge.Cli.dll");

    /// <summary>The merge task, running the tool built beside these tests.</summary>
    public static LoraMergeModels Merge(FakeBuildEngine engine, ITaskItem[] models) => new()
    {
        BuildEngine = engine,
        Models = models,
        ToolAssembly = ToolAssembly,
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
