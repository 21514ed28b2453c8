using System.Security.Cryptography;
using System.Text;
using LoraMerge.Diagnostics;
using LoraMerge.Runtime;

namespace LoraMerge.Core.Tests.Runtime;

/// <summary>GgufFile: the path generated GgufPath properties return, from a model folder or extracted from resources.</summary>
public sealed class GgufFileTests : IDisposable
{
    private const string Fingerprint = ModelFolder.Fingerprint;
    private static readonly byte[] Gguf = Encoding.ASCII.GetBytes("GGUF\u0003 not a real model, only bytes to hash");

    private readonly string _root = Directory.CreateTempSubdirectory("lora-gguf-runtime-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[] Metadata(string sha256, string fingerprint = Fingerprint) => Encoding.UTF8.GetBytes(
        $$"""{"fingerprint": "{{fingerprint}}", "outputs": [{"path": "model.gguf", "size": {{Gguf.Length}}, "sha256": "{{sha256}}"}]}""");

    private string Folder(byte[]? gguf, byte[] metadata)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, "models", "Test")).FullName;
        if (gguf is not null) File.WriteAllBytes(Path.Combine(folder, "model.gguf"), gguf);
        File.WriteAllBytes(Path.Combine(folder, "lora-merge.json"), metadata);
        return folder;
    }

    private static Func<string, Stream?> Resources(Dictionary<string, byte[]> resources, List<string>? opened = null) => name =>
    {
        opened?.Add(name);
        return resources.TryGetValue(name, out var bytes) ? new MemoryStream(bytes, writable: false) : null;
    };

    private static Dictionary<string, byte[]> Embedded(byte[] gguf, byte[] metadata) => new()
    {
        ["LoraMerge/Test/model.gguf"] = gguf,
        ["LoraMerge/Test/lora-merge.json"] = metadata,
    };

    private string Cache => Path.Combine(_root, "cache");

    [Fact]
    public void A_folder_model_gives_the_file_beside_lora_merge_json()
    {
        var folder = Folder(Gguf, Metadata(Sha(Gguf)));

        Assert.Equal(Path.Combine(folder, "model.gguf"), GgufFile.InFolder("Test", folder, Fingerprint));
    }

    [Fact]
    public void Resolve_without_an_assembly_looks_under_the_app_base_directory()
    {
        var error = Assert.Throws<ModelLoadException>(() => GgufFile.Resolve("Test", "models/NoSuchModel", ""));

        Assert.Equal(ErrorCodes.ModelArtifactMissing, error.Code);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "models", "NoSuchModel", "model.gguf"), error.FilePath);
    }

    [Fact]
    public void A_missing_gguf_file_is_LORA1501()
    {
        var folder = Folder(null, Metadata(Sha(Gguf)));

        var error = Assert.Throws<ModelLoadException>(() => GgufFile.InFolder("Test", folder, Fingerprint));

        Assert.Equal(ErrorCodes.ModelArtifactMissing, error.Code);
        Assert.Contains("model.gguf", error.Message);
    }

    [Fact]
    public void A_folder_merged_from_other_inputs_is_LORA1502()
    {
        var folder = Folder(Gguf, Metadata(Sha(Gguf), fingerprint: new string('0', 64)));

        var error = Assert.Throws<ModelLoadException>(() => GgufFile.InFolder("Test", folder, Fingerprint));

        Assert.Equal(ErrorCodes.ModelArtifactStale, error.Code);
    }

    [Fact]
    public void An_embedded_gguf_is_extracted_once_to_a_folder_named_by_its_sha256()
    {
        var sha = Sha(Gguf);
        var opened = new List<string>();
        var resources = Resources(Embedded(Gguf, Metadata(sha)), opened);

        var path = GgufFile.FromResources("Test", Fingerprint, resources, "test resources", Cache);

        Assert.Equal(Path.Combine(Cache, sha, "model.gguf"), path);
        Assert.Equal(Gguf, File.ReadAllBytes(path));
        Assert.Equal(["model.gguf"], Directory.GetFiles(Path.Combine(Cache, sha)).Select(Path.GetFileName));
        var written = File.GetLastWriteTimeUtc(path);
        File.SetLastWriteTimeUtc(path, written.AddHours(-1));

        opened.Clear();
        Assert.Equal(path, GgufFile.FromResources("Test", Fingerprint, resources, "test resources", Cache));
        Assert.DoesNotContain("LoraMerge/Test/model.gguf", opened);
        Assert.Equal(written.AddHours(-1), File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void A_corrupt_cached_file_is_replaced()
    {
        var sha = Sha(Gguf);
        Directory.CreateDirectory(Path.Combine(Cache, sha));
        var path = Path.Combine(Cache, sha, "model.gguf");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("truncated"));

        Assert.Equal(path, GgufFile.FromResources("Test", Fingerprint, Resources(Embedded(Gguf, Metadata(sha))), "test resources", Cache));

        Assert.Equal(Gguf, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_resource_that_does_not_match_its_recorded_sha256_is_LORA1505_and_leaves_nothing()
    {
        var sha = Sha(Encoding.ASCII.GetBytes("something else"));

        var error = Assert.Throws<ModelLoadException>(() =>
            GgufFile.FromResources("Test", Fingerprint, Resources(Embedded(Gguf, Metadata(sha))), "test resources", Cache));

        Assert.Equal(ErrorCodes.ModelArtifactHashMismatch, error.Code);
        Assert.Empty(Directory.GetFiles(Path.Combine(Cache, sha)));
    }

    [Fact]
    public void A_missing_embedded_gguf_is_LORA1501()
    {
        var resources = new Dictionary<string, byte[]> { ["LoraMerge/Test/lora-merge.json"] = Metadata(Sha(Gguf)) };

        var error = Assert.Throws<ModelLoadException>(() =>
            GgufFile.FromResources("Test", Fingerprint, Resources(resources), "test resources", Cache));

        Assert.Equal(ErrorCodes.ModelArtifactMissing, error.Code);
        Assert.Contains("LoraMerge/Test/model.gguf", error.Message);
    }

    [Theory]
    [InlineData("../../escape")]
    [InlineData("")]
    public void A_recorded_hash_that_is_not_a_sha256_is_LORA1505(string recorded)
    {
        var error = Assert.Throws<ModelLoadException>(() =>
            GgufFile.FromResources("Test", Fingerprint, Resources(Embedded(Gguf, Metadata(recorded))), "test resources", Cache));

        Assert.Equal(ErrorCodes.ModelArtifactHashMismatch, error.Code);
        Assert.False(Directory.Exists(Cache));
    }
}
