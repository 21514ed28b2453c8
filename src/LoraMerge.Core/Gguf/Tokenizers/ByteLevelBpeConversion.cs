using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>
/// Byte-level BPE from tokenizer.json (GPT-2, Llama 3, Qwen 2/3): tokenizer.ggml.model "gpt2", the pre-tokenizer
/// from <see cref="PreTokenizerTable"/>, tokens as stored (byte-level characters), merges, and types: an added token
/// is CONTROL when Hugging Face marks it special, USER_DEFINED otherwise (both are split out of text before BPE).
/// </summary>
internal static class ByteLevelBpeConversion
{
    public static bool Applies(TokenizerJson json) =>
        !json.ByteFallback && TokenizerJsonFile.String(json.Decoder, "type", json.Path) == "ByteLevel";

    public static GgufVocabulary Convert(TokenizerJson json, TokenizerSettings settings)
    {
        string path = json.Path;
        if (!string.IsNullOrEmpty(json.ContinuingSubwordPrefix) || !string.IsNullOrEmpty(json.EndOfWordSuffix))
            throw new LoraException(ErrorCodes.UnsupportedTokenizerModel,
                "tokenizer.json's BPE model uses continuing_subword_prefix / end_of_word_suffix, which llama.cpp's byte-level BPE does not.", path);
        var pre = PreTokenizerTable.Match(json.PreTokenizer, json.Normalizer, path);

        var tokens = json.TokensById();
        var types = new GgufTokenType[tokens.Length];
        Array.Fill(types, GgufTokenType.Normal);
        foreach (var added in json.AddedTokens)
            types[added.Id] = added.Special ? GgufTokenType.Control : GgufTokenType.UserDefined;

        var merges = new List<string>(json.Merges.Count);
        foreach (var (left, right) in json.Merges)
        {
            if (left.Contains(' ', StringComparison.Ordinal) || right.Contains(' ', StringComparison.Ordinal))
                throw new LoraException(ErrorCodes.UnrepresentableVocabulary,
                    $"The merge [\"{left}\", \"{right}\"] has a space inside a token; llama.cpp's merges are \"left right\" strings.", path);
            merges.Add($"{left} {right}");
        }

        var tokenIds = json.AllIds();
        var ids = SpecialTokenIds.Resolve(settings, tokenIds, path);
        var (addBos, addEos, decided) = AddBosEos.Decide(settings, json.PostProcessor, tokenIds, ids, path);
        return new GgufVocabulary
        {
            Model = "gpt2",
            Pre = pre.Name,
            Tokens = tokens,
            Types = types,
            Merges = merges,
            Ids = decided,
            AddBos = addBos,
            AddEos = addEos,
            ChatTemplate = settings.ChatTemplate,
        };
    }
}
