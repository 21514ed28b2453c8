using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Formats;
using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>
/// Issue 18: the merged folder is a complete model folder: config.json and every companion file of the base (tokenizer,
/// generation config, chat template, any other root file) are there byte for byte; weights, indexes, hidden files and
/// clutter of the base are not.
/// </summary>
public sealed class CompanionFilesTests
{
    private static readonly Dictionary<string, byte[]> Companions = new()
    {
        ["tokenizer.json"] = "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\"}}\n"u8.ToArray(),
        ["tokenizer_config.json"] = "{\"bos_token\": \"<s>\", \"chat_template\": \"{{ messages }}\"}"u8.ToArray(),
        ["special_tokens_map.json"] = "{\"eos_token\": \"</s>\"}"u8.ToArray(),
        ["generation_config.json"] = "{\"temperature\": 0.6}"u8.ToArray(),
        ["tokenizer.model"] = Enumerable.Range(0, 3000).Select(i => (byte)(i * 7 + 3)).ToArray(), // binary, not text
        ["README.md"] = "# a model\r\nwith CRLF and no final newline"u8.ToArray(),
        ["empty.txt"] = [],
    };

    [Theory]
    [InlineData(null)]
    [InlineData(512L)]    // sharded output (the model is 1.3 KB): companions still copied once, beside the shards and their index
    public void Companion_files_and_config_are_copied_byte_for_byte_and_nothing_else(long? maxShardSize)
    {
        using var temp = new TempDirectory();
        string baseDir = SyntheticModels.WriteBase(temp.Path, DType.BF16, seed: 18);
        foreach (var (name, bytes) in Companions)
            File.WriteAllBytes(Path.Combine(baseDir, name), bytes);
        // Not companions: hidden files, clutter, other weight formats and their indexes, a subfolder.
        File.WriteAllText(Path.Combine(baseDir, ".gitattributes"), "*.safetensors filter=lfs");
        File.WriteAllText(Path.Combine(baseDir, "Thumbs.db"), "x");
        File.WriteAllText(Path.Combine(baseDir, "model.gguf"), "x");
        File.WriteAllText(Path.Combine(baseDir, "pytorch_model.bin"), "x");
        Directory.CreateDirectory(Path.Combine(baseDir, "original"));
        File.WriteAllText(Path.Combine(baseDir, "original", "params.json"), "{}");
        byte[] config = File.ReadAllBytes(Path.Combine(baseDir, "config.json"));
        string adapter = SyntheticModels.WriteAdapter(temp.Path, "a", rank: 4, alpha: 8, seed: 19);
        string output = temp.File("out");

        MergeEngine.Merge(new MergeOptions
        {
            BaseModelDirectory = baseDir, Adapters = [new AdapterInput(adapter)], OutputDirectory = output, MaxShardSize = maxShardSize,
        });

        foreach (var (name, bytes) in Companions)
        {
            Assert.True(File.Exists(Path.Combine(output, name)), $"{name} was not copied");
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(output, name))), $"{name} differs from the base's");
        }
        Assert.Equal(config, File.ReadAllBytes(Path.Combine(output, "config.json")));
        var others = Directory.GetFiles(output).Select(Path.GetFileName)
            .Where(f => !f!.EndsWith(".safetensors", StringComparison.Ordinal) && f != "model.safetensors.index.json" && f != "lora-merge.json")
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Companions.Keys.Append("config.json").Order(StringComparer.Ordinal).ToArray(), others);
        Assert.Empty(Directory.GetDirectories(output));
        Assert.Equal(maxShardSize is null, File.Exists(Path.Combine(output, "model.safetensors")));
    }
}
