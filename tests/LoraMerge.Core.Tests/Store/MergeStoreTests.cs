using System.Text.Json;
using LoraMerge.Core.Tests.Merging;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Store;

/// <summary>
/// The merge store (issue 14): a merge with the same inputs by content is hard-linked, not computed again, into every
/// output folder; a touched but unchanged input still hits; changed content misses; unused entries go.
/// </summary>
public sealed class MergeStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The linear_bf16 case with its base and adapter copied into the temp folder, so the test may touch and change them.</summary>
    private MergeOptions Options(string output)
    {
        var fixture = MergeCase.Load("linear_bf16");
        var baseCopy = _temp.File("inputs", "base");
        if (!Directory.Exists(baseCopy))
        {
            CopyFolder(fixture.BaseDirectory, baseCopy);
            CopyFolder(fixture.Adapters[0].Directory, _temp.File("inputs", "adapter"));
        }
        return fixture.Options(_temp.File(output)) with
        {
            BaseModelDirectory = baseCopy,
            Adapters = [new AdapterInput(_temp.File("inputs", "adapter"), fixture.Adapters[0].Weight)],
            Store = _temp.File("store"),
        };
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    private string[] Entries() => Directory.Exists(_temp.File("store"))
        ? Directory.GetDirectories(_temp.File("store")).Where(d => !Path.GetFileName(d).StartsWith('.'))
            .SelectMany(Directory.GetDirectories).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray()
        : [];

    [LinuxFact]
    public void A_second_output_with_the_same_inputs_is_linked_from_the_store_not_merged()
    {
        var first = MergeEngine.Merge(Options("Debug"));
        var second = MergeEngine.Merge(Options("Release"));

        Assert.Null(first.StoreEntry);
        Assert.NotNull(second.StoreEntry);
        Assert.Single(Entries());
        var weights = "model.safetensors";
        Assert.True(FileIdentityOf(_temp.File("Debug", weights)).IsSameAs(FileIdentityOf(_temp.File("Release", weights))), "the two outputs share one file");
        Assert.Equal(3, LoraMerge.FileSystem.FileIdentity.LinkCount(_temp.File("Release", weights)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(MergeCase.Load("linear_bf16").ExpectedDirectory, weights)), File.ReadAllBytes(_temp.File("Release", weights)));
    }

    [LinuxFact]
    public void The_linked_report_points_at_the_inputs_from_its_own_folder()
    {
        MergeEngine.Merge(Options("out"));
        var nested = Options(Path.Combine("deeper", "still", "out"));
        MergeEngine.Merge(nested);

        using var report = JsonDocument.Parse(File.ReadAllBytes(_temp.File("deeper", "still", "out", "lora-merge.json")));
        var basePath = report.RootElement.GetProperty("base").GetProperty("path").GetString()!;
        var adapterPath = report.RootElement.GetProperty("adapters")[0].GetProperty("path").GetString()!;
        Assert.Equal(Path.GetFullPath(nested.BaseModelDirectory), Path.GetFullPath(Path.Combine(_temp.File("deeper", "still", "out"), basePath)));
        Assert.Equal(Path.GetFullPath(nested.Adapters[0].Directory), Path.GetFullPath(Path.Combine(_temp.File("deeper", "still", "out"), adapterPath)));
        using var original = JsonDocument.Parse(File.ReadAllBytes(_temp.File("out", "lora-merge.json")));
        Assert.Equal(original.RootElement.GetProperty("outputs").GetRawText(), report.RootElement.GetProperty("outputs").GetRawText());
        Assert.Equal(original.RootElement.GetProperty("fingerprint").GetString(), report.RootElement.GetProperty("fingerprint").GetString());
    }

    [LinuxFact]
    public void A_touched_but_unchanged_base_still_hits_and_changed_content_misses()
    {
        MergeEngine.Merge(Options("a"));
        var weights = _temp.File("inputs", "base", "model.safetensors");
        File.SetLastWriteTimeUtc(weights, DateTime.UtcNow.AddMinutes(5));

        Assert.NotNull(MergeEngine.Merge(Options("b")).StoreEntry);

        // Same size and header, other bytes in the last tensor: the cheap fingerprint is equal, the content key is not.
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(weights, bytes);
        var changed = MergeEngine.Merge(Options("c"));

        Assert.Null(changed.StoreEntry);
        Assert.Equal(2, Entries().Length);
        Assert.NotEqual(File.ReadAllBytes(_temp.File("a", "model.safetensors")), File.ReadAllBytes(_temp.File("c", "model.safetensors")));
    }

    [LinuxFact]
    public void An_entry_no_output_links_any_more_is_removed_by_the_next_merge()
    {
        MergeEngine.Merge(Options("out"));
        var old = Assert.Single(Entries());
        var bytes = File.ReadAllBytes(_temp.File("inputs", "base", "model.safetensors"));
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(_temp.File("inputs", "base", "model.safetensors"), bytes);

        // The same output folder, merged from other inputs: the old entry's files lose their last other name.
        MergeEngine.Merge(Options("out"));

        var current = Assert.Single(Entries());
        Assert.NotEqual(old, current);
    }

    [Fact]
    public void A_store_inside_an_input_or_the_output_is_refused()
    {
        var options = Options("out");
        var error = Assert.Throws<LoraMerge.Diagnostics.LoraException>(() => MergeEngine.Merge(options with { Store = _temp.File("out", "store") }));
        Assert.Equal(LoraMerge.Diagnostics.ErrorCodes.InvalidMergeOptions, error.Code);
        error = Assert.Throws<LoraMerge.Diagnostics.LoraException>(() => MergeEngine.Merge(options with { Store = Path.Combine(options.BaseModelDirectory, "store") }));
        Assert.Equal(LoraMerge.Diagnostics.ErrorCodes.InvalidMergeOptions, error.Code);
        Assert.False(Directory.Exists(_temp.File("out")));
    }

    private static LoraMerge.FileSystem.FileIdentity FileIdentityOf(string path) => LoraMerge.FileSystem.FileIdentity.Of(path)!.Value;
}
