using System.Text.Json;
using System.Text.Json.Nodes;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>
/// The byte-level BPE pre-tokenizers LoraMerge converts: each llama.cpp <c>tokenizer.ggml.pre</c> name with the exact
/// tokenizer.json <c>pre_tokenizer</c> (and accepted <c>normalizer</c>s) whose splitting llama.cpp reproduces under that
/// name. A definition is matched exactly (keys in any order, <c>trim_offsets</c> ignored: it moves offsets, not ids);
/// anything else is refused, never guessed. docs/gguf.md shows this table; add a row there too.
/// </summary>
internal static class PreTokenizerTable
{
    public sealed record Row(string Name, string PreTokenizer, IReadOnlyList<string> Normalizers);

    private const string Llama3Regex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Qwen2Regex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string NoNormalizer = "null";

    public static IReadOnlyList<Row> Rows { get; } =
    [
        new("llama-bpe", SplitThenByteLevel(Llama3Regex), [NoNormalizer]),
        // llama.cpp applies no NFC: text already in NFC (most text) tokenizes the same; decomposed text may not.
        new("qwen2", SplitThenByteLevel(Qwen2Regex), [CanonicalJson.Of("""{"type":"NFC"}"""), NoNormalizer]),
        new("gpt-2", CanonicalJson.Of("""{"type":"ByteLevel","add_prefix_space":false,"use_regex":true}"""), [NoNormalizer]),
    ];

    /// <summary>The row whose definitions equal the file's, or LORA1622 naming what matched nothing.</summary>
    public static Row Match(JsonElement preTokenizer, JsonElement normalizer, string path)
    {
        string pre = Canonical(preTokenizer);
        string norm = Canonical(normalizer);
        var row = Rows.FirstOrDefault(r => r.PreTokenizer == pre)
            ?? throw new LoraException(ErrorCodes.UnknownPreTokenizer,
                $"tokenizer.json's pre_tokenizer {pre} matches none of the known ones ({string.Join(", ", Rows.Select(r => r.Name))}); see docs/gguf.md, \"Tokenizers\".", path);
        if (!row.Normalizers.Contains(norm))
            throw new LoraException(ErrorCodes.UnknownPreTokenizer,
                $"tokenizer.json's pre_tokenizer is {row.Name}'s but its normalizer {norm} is not one {row.Name} is known with ({string.Join(", ", row.Normalizers)}).", path);
        return row;
    }

    private static string Canonical(JsonElement element) =>
        element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? NoNormalizer : CanonicalJson.Of(element);

    private static string SplitThenByteLevel(string regex)
    {
        var definition = new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "Split",
                    ["pattern"] = new JsonObject { ["Regex"] = regex },
                    ["behavior"] = "Isolated",
                    ["invert"] = false,
                },
                new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = false }),
        };
        return CanonicalJson.Of(definition.ToJsonString());
    }
}
