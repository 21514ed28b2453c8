using System.Text.Json.Nodes;

namespace LoraMerge.Gguf.Tests.Tokenizers;

/// <summary>Small hand-made tokenizer folders, each a known shape with one part changed.</summary>
internal static class SyntheticTokenizers
{
    /// <summary>A tiny GPT-2-shaped byte-level BPE tokenizer.json: "a", "b", "ab" (merge "a b") and "&lt;|end|&gt;".</summary>
    public static JsonObject ByteLevel() => new()
    {
        ["version"] = "1.0",
        ["added_tokens"] = new JsonArray(new JsonObject { ["id"] = 3, ["content"] = "<|end|>", ["special"] = true }),
        ["normalizer"] = null,
        ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
        ["post_processor"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
        ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
        ["model"] = new JsonObject
        {
            ["type"] = "BPE",
            ["vocab"] = new JsonObject { ["a"] = 0, ["b"] = 1, ["ab"] = 2, ["<|end|>"] = 3 },
            ["merges"] = new JsonArray("a b"),
        },
    };

    public static void Write(string folder, JsonObject tokenizerJson, string? tokenizerConfig = null)
    {
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizerJson.ToJsonString());
        if (tokenizerConfig is not null)
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), tokenizerConfig);
    }
}
