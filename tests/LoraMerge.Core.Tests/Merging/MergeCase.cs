using System.Text.Json;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>A committed case under tests/fixtures/merge/ (see its README.md): inputs, options and what to expect.</summary>
public sealed record MergeCase(string Name, string Folder, IReadOnlyList<AdapterInput> Adapters, bool SafeMerge, JsonElement Json)
{
    public string BaseDirectory => Path.Combine(Folder, "base");
    public string ExpectedDirectory => Path.Combine(Folder, "expected");

    /// <summary>The folder holding the result with PEFT's rounding points (<c>Rounding="peft"</c>): <c>expected_peft</c>, or <c>expected</c> where they change nothing.</summary>
    public string ExpectedWithPeftRoundingDirectory => Path.Combine(Folder, Json.GetProperty("expectedWithPeftRounding").GetString()!);
    public string Comparison => Json.GetProperty("comparison").GetString()!;
    public string ExpectedError => Json.GetProperty("expectedError").GetString()!;
    public IReadOnlyList<string> ChangedTensors => Json.GetProperty("changedTensors").EnumerateArray().Select(e => e.GetString()!).ToArray();

    public MergeOptions Options(string output) => new()
    {
        BaseModelDirectory = BaseDirectory,
        Adapters = Adapters,
        OutputDirectory = output,
        SafeMerge = SafeMerge,
    };

    public override string ToString() => Name;

    public static TheoryData<string> Valid() => Names(Fixtures.Path("merge"));

    public static TheoryData<string> Invalid() => Names(Fixtures.Path("merge", "invalid"));

    public static MergeCase Load(string relativeFolder)
    {
        string folder = Fixtures.Path("merge", relativeFolder);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "case.json")));
        var json = doc.RootElement.Clone();
        var adapters = json.GetProperty("adapters").EnumerateArray()
            .Select(a => new AdapterInput(Path.Combine(folder, a.GetProperty("path").GetString()!), a.GetProperty("weight").GetDouble()))
            .ToArray();
        return new MergeCase(relativeFolder, folder, adapters, json.GetProperty("safeMerge").GetBoolean(), json);
    }

    private static TheoryData<string> Names(string root)
    {
        var data = new TheoryData<string>();
        string prefix = Path.GetRelativePath(Fixtures.Path("merge"), root);
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            if (File.Exists(Path.Combine(dir, "case.json")))
                data.Add(prefix == "." ? Path.GetFileName(dir) : Path.Combine(prefix, Path.GetFileName(dir)));
        return data;
    }
}
