using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>
/// How a SentencePiece-style tokenizer.json turns spaces into ▁, matched exactly against the shapes llama.cpp's SPM
/// tokenizer reproduces; returns add_space_prefix. Known: normalizer Sequence[Prepend "▁", Replace " "→"▁"] (the
/// "legacy" Llama 2 / Mistral / TinyLlama form; a prefix before every text and after every special token, as llama.cpp
/// does), normalizer Replace " "→"▁" alone (no prefix), and pre_tokenizer Metaspace with prepend_scheme "always" or
/// "never" and no split. Metaspace "first" is refused: llama.cpp also puts the prefix after special tokens.
/// </summary>
internal static class SentencePieceShape
{
    private static readonly string Replace = CanonicalJson.Of("""{"type":"Replace","pattern":{"String":" "},"content":"▁"}""");
    private static readonly string PrependThenReplace = CanonicalJson.Of(
        """{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"}]}""");

    public static bool AddSpacePrefix(TokenizerJson json)
    {
        bool noNormalizer = json.Normalizer.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;
        bool noPreTokenizer = json.PreTokenizer.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;
        if (noPreTokenizer && !noNormalizer)
        {
            string normalizer = CanonicalJson.Of(json.Normalizer);
            if (normalizer == PrependThenReplace)
                return true;
            if (normalizer == Replace)
                return false;
        }
        if (noNormalizer && !noPreTokenizer && TokenizerJsonFile.String(json.PreTokenizer, "type", json.Path) == "Metaspace"
            && TokenizerJsonFile.String(json.PreTokenizer, "replacement", json.Path) == "▁"
            && (TokenizerJsonFile.Bool(json.PreTokenizer, "split", json.Path) ?? true) == false)
        {
            switch (TokenizerJsonFile.String(json.PreTokenizer, "prepend_scheme", json.Path))
            {
                case "always": return true;
                case "never": return false;
            }
        }
        throw new LoraException(ErrorCodes.UnknownPreTokenizer,
            $"The SentencePiece-style tokenizer.json's normalizer {Describe(json.Normalizer)} with pre_tokenizer {Describe(json.PreTokenizer)} "
            + "matches none of the known shapes (Prepend ▁ + Replace ' '→▁; Replace ' '→▁; Metaspace without split, prepend_scheme always or never); see docs/gguf.md, \"Tokenizers\".",
            json.Path);
    }

    private static string Describe(JsonElement element) =>
        element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? "null" : CanonicalJson.Of(element);
}
