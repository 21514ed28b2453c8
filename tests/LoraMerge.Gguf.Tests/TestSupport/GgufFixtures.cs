using System.Reflection;
using System.Text.Json;
using LoraMerge.Merging;

namespace LoraMerge.Gguf.Tests.TestSupport;

/// <summary>The committed fixtures this project reads, and model folders made from them for a GGUF merge.</summary>
internal static class GgufFixtures
{
    public static string Dir { get; } = typeof(GgufFixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FixturesDir").Value!;

    public static string RepoRoot { get; } = typeof(GgufFixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    public static string SampleModel => Path.Combine(RepoRoot, "samples", "AppWithAdapters", "models", "tiny-llama");

    public static string SampleAdapter => Path.Combine(RepoRoot, "samples", "AppWithAdapters", "adapters", "bofh");

    /// <summary>The committed merge cases whose base llama.cpp runs (Llama and Qwen2 shapes).</summary>
    public static TheoryData<string> LlamaFamilyMergeCases()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.GetDirectories(Path.Combine(Dir, "merge")).Order(StringComparer.Ordinal))
        {
            string config = Path.Combine(folder, "base", "config.json");
            if (File.Exists(config) && File.ReadAllText(config) is var text && (text.Contains("\"LlamaForCausalLM\"") || text.Contains("\"Qwen2ForCausalLM\"")))
                data.Add(Path.GetFileName(folder));
        }
        return data;
    }

    /// <summary>A merge case's options, its base copied into <paramref name="temp"/> with a character vocabulary of vocab_size tokens.</summary>
    public static MergeOptions CaseWithTokenizer(string name, string temp)
    {
        string folder = Path.Combine(Dir, "merge", name);
        string model = Path.Combine(temp, "base");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(Path.Combine(folder, "base")))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(model, "config.json")));
        WriteCharTokenizer(model, config.RootElement.TryGetProperty("vocab_size", out var vocab) ? vocab.GetInt32() : 16);
        using var @case = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "case.json")));
        return new MergeOptions
        {
            BaseModelDirectory = model,
            Adapters = @case.RootElement.GetProperty("adapters").EnumerateArray()
                .Select(a => new AdapterInput(Path.Combine(folder, a.GetProperty("path").GetString()!), a.GetProperty("weight").GetDouble())).ToArray(),
            OutputDirectory = Path.Combine(temp, "out"),
            SafeMerge = @case.RootElement.GetProperty("safeMerge").GetBoolean(),
        };
    }

    /// <summary>The sample's tokenizer shape: vocab.json of single characters plus &lt;unk&gt; and &lt;s&gt;.</summary>
    public static void WriteCharTokenizer(string model, int tokens)
    {
        var vocab = new Dictionary<string, int> { ["<unk>"] = 0, ["<s>"] = 1 };
        for (int i = 2; i < tokens; i++)
            vocab[((char)('!' + i)).ToString()] = i;
        File.WriteAllText(Path.Combine(model, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllText(Path.Combine(model, "tokenizer_config.json"), """
            { "tokenizer_type": "char", "vocab_file": "vocab.json", "bos_token": "<s>", "eos_token": "<s>", "unk_token": "<unk>", "pad_token": "<unk>", "add_bos_token": true }
            """);
    }
}
