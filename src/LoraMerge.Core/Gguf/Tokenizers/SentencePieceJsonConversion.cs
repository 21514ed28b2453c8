using System.Text.RegularExpressions;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>
/// SentencePiece-style BPE from tokenizer.json alone (byte_fallback, ▁ for spaces: Llama 2, Mistral, TinyLlama):
/// tokenizer.ggml.model "llama". llama.cpp's SPM tokenizer merges the adjacent pair whose result has the highest score
/// (ties: leftmost), Hugging Face's BPE the pair listed first in merges; so a token's score is minus the rank of the
/// first merge that makes it, which orders llama.cpp's merges as the list does. Tokens no merge makes keep 0 if they are
/// single characters, bytes or special (never the result of a merge), and the lowest score otherwise.
/// </summary>
internal static partial class SentencePieceJsonConversion
{
    /// <summary>Below every merge's score: such a token is only formed when nothing else can merge.</summary>
    private const float NeverMerged = -1e9f;

    public static bool Applies(TokenizerJson json) => json.ByteFallback;

    public static GgufVocabulary Convert(TokenizerJson json, TokenizerSettings settings)
    {
        string path = json.Path;
        if (!string.IsNullOrEmpty(json.ContinuingSubwordPrefix) || !string.IsNullOrEmpty(json.EndOfWordSuffix))
            throw new LoraException(ErrorCodes.UnsupportedTokenizerModel,
                "tokenizer.json's BPE model uses continuing_subword_prefix / end_of_word_suffix, which llama.cpp's SentencePiece tokenizer does not.", path);
        bool addSpacePrefix = SentencePieceShape.AddSpacePrefix(json);
        var tokens = json.TokensById();
        var tokenIds = json.AllIds();

        var scores = new float[tokens.Length];
        Array.Fill(scores, float.NaN);
        for (int rank = 0; rank < json.Merges.Count; rank++)
        {
            var (left, right) = json.Merges[rank];
            if (tokenIds.TryGetValue(left + right, out int made) && float.IsNaN(scores[made]))
                scores[made] = -rank;
        }

        var types = new GgufTokenType[tokens.Length];
        var added = json.AddedTokens.ToDictionary(a => a.Id);
        int? unk = json.UnkToken is null ? null : tokenIds.GetValueOrDefault(json.UnkToken, -1);
        for (int id = 0; id < tokens.Length; id++)
        {
            string? text = tokens[id];
            if (text is null)
                continue;
            types[id] = id == unk ? GgufTokenType.Unknown
                : added.TryGetValue(id, out var a) ? (a.Special ? GgufTokenType.Control : GgufTokenType.UserDefined)
                : ByteToken().IsMatch(text) ? GgufTokenType.Byte
                : GgufTokenType.Normal;
            if (float.IsNaN(scores[id]))
                scores[id] = types[id] != GgufTokenType.Normal || text.EnumerateRunes().Count() == 1 ? 0f : NeverMerged;
        }
        if (Enumerable.Range(0, 256).Any(b => !tokenIds.ContainsKey($"<0x{b:X2}>")))
            throw new LoraException(ErrorCodes.UnrepresentableVocabulary,
                "The tokenizer falls back to bytes but lacks some of the 256 byte tokens <0x00>…<0xFF>; llama.cpp would stop on text that needs them.", path);

        var ids = SpecialTokenIds.Resolve(settings, tokenIds, path);
        if (ids.Unk is null && unk is int u && u >= 0)
            ids = ids with { Unk = u };
        var (addBos, addEos, decided) = AddBosEos.Decide(settings, json.PostProcessor, tokenIds, ids, path);
        return new GgufVocabulary
        {
            Model = "llama",
            Tokens = tokens,
            Types = types,
            Scores = scores,
            Ids = decided,
            AddBos = addBos,
            AddEos = addEos,
            AddSpacePrefix = addSpacePrefix,
            ChatTemplate = settings.ChatTemplate,
        };
    }

    [GeneratedRegex("^<0x[0-9A-F]{2}>$")]
    private static partial Regex ByteToken();
}
