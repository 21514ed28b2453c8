using System.Reflection;
using System.Text.RegularExpressions;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;

namespace LoraMerge.Core.Tests.Diagnostics;

/// <summary>docs/diagnostics.md keeps up with the codes: one table row per ErrorCodes constant and per generator id, and no others.</summary>
public sealed partial class DiagnosticsDocTests
{
    private static readonly string DocPath = Path.Combine(Fixtures.RepoRoot, "docs", "diagnostics.md");
    private static readonly string GeneratorDiagnosticsPath = Path.Combine(Fixtures.RepoRoot, "src", "LoraMerge.Generators", "GeneratorDiagnostics.cs");

    public static TheoryData<string, string> ErrorCodeConstants()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, code) in Constants()) data.Add(name, code);
        return data;
    }

    [Theory]
    [MemberData(nameof(ErrorCodeConstants))]
    public void Every_error_code_has_a_row_with_its_name_and_an_explanation(string name, string code)
    {
        var rows = DocRows();

        Assert.True(rows.TryGetValue(code, out var cells), $"docs/diagnostics.md has no table row for {code} ({name}).");
        Assert.Equal(name, cells[0]);
        Assert.True(cells[^1].Length >= 40, $"The row for {code} says too little about when it happens and what to do: '{cells[^1]}'.");
    }

    [Fact]
    public void Every_generator_id_has_a_row_with_an_explanation()
    {
        var ids = GeneratorIdPattern().Matches(File.ReadAllText(GeneratorDiagnosticsPath)).Select(m => m.Value).Distinct().ToList();
        var rows = DocRows();

        Assert.NotEmpty(ids);
        Assert.All(ids, id =>
        {
            Assert.True(rows.TryGetValue(id, out var cells), $"docs/diagnostics.md has no table row for {id}.");
            Assert.True(cells[^1].Length >= 40, $"The row for {id} says too little: '{cells[^1]}'.");
        });
    }

    [Fact]
    public void Every_row_names_a_code_that_exists()
    {
        var known = Constants().Select(c => c.Code)
            .Concat(GeneratorIdPattern().Matches(File.ReadAllText(GeneratorDiagnosticsPath)).Select(m => m.Value))
            .ToHashSet();

        Assert.All(DocRows().Keys, code => Assert.Contains(code, known));
    }

    [Fact]
    public void Error_codes_are_unique_and_well_formed()
    {
        var codes = Constants().Select(c => c.Code).ToList();

        Assert.NotEmpty(codes);
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, code => Assert.Matches("^LORA1[0-9]{3}$", code));
    }

    private static List<(string Name, string Code)> Constants() =>
        typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (f.Name, (string)f.GetRawConstantValue()!))
            .ToList();

    /// <summary>Table rows of the doc whose first cell is a code, keyed by code; the value is the remaining cells, trimmed.</summary>
    private static Dictionary<string, string[]> DocRows()
    {
        var rows = new Dictionary<string, string[]>();
        foreach (var line in File.ReadLines(DocPath))
        {
            var match = RowPattern().Match(line);
            if (!match.Success) continue;
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            Assert.True(rows.TryAdd(cells[0], cells[1..]), $"docs/diagnostics.md has two rows for {cells[0]}.");
        }
        return rows;
    }

    [GeneratedRegex(@"^\|\s*(LORA[0-9]{4}|LORAGEN[0-9]{3})\s*\|")]
    private static partial Regex RowPattern();

    [GeneratedRegex("LORAGEN[0-9]{3}")]
    private static partial Regex GeneratorIdPattern();
}
