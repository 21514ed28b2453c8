using System.IO.Compression;
using System.Reflection;
using System.Text.Json;

namespace LoraMerge.Gguf.Tests.Tokenizers;

/// <summary>The committed tokenizer fixtures (tests/fixtures/tokenizers) unpacked into temp model folders.</summary>
internal static class TokenizerFolders
{
    public static string FixturesDir { get; } = typeof(TokenizerFolders).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "FixturesDir").Value!;

    public static string RepoRoot { get; } = typeof(TokenizerFolders).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    public static string TokenizersDir => Path.Combine(FixturesDir, "tokenizers");

    /// <summary>Rows of each tokenizer's model's token embedding (config.json vocab_size of a model that uses it).</summary>
    public static readonly IReadOnlyDictionary<string, int> VocabSizes = new Dictionary<string, int>
    {
        ["gpt2"] = 50257,
        ["llama3"] = 128256,
        ["mistral"] = 32000,
        ["qwen2_5"] = 151936,
        ["qwen3"] = 151936,
    };

    /// <summary>A fresh temp folder holding the fixture's tokenizer.json (unzipped) and tokenizer_config.json.</summary>
    public static TempFolder Unpack(string name)
    {
        var folder = new TempFolder();
        string source = Path.Combine(TokenizersDir, name);
        using (var gz = new GZipStream(File.OpenRead(Path.Combine(source, "tokenizer.json.gz")), CompressionMode.Decompress))
        using (var output = File.Create(Path.Combine(folder.Path, "tokenizer.json")))
            gz.CopyTo(output);
        File.Copy(Path.Combine(source, "tokenizer_config.json"), Path.Combine(folder.Path, "tokenizer_config.json"));
        return folder;
    }

    public sealed record ReferenceCase(string Text, int[] Ids, int[] PlainIds, string Decoded);

    public static IReadOnlyList<ReferenceCase> Reference(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TokenizersDir, name, "reference.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new ReferenceCase(
            c.GetProperty("text").GetString()!,
            c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray(),
            c.GetProperty("plainIds").EnumerateArray().Select(i => i.GetInt32()).ToArray(),
            c.GetProperty("decoded").GetString()!)).ToList();
    }
}

internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("loramerge-tok-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
