using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>
/// A character vocabulary (tokenizer_config.json "tokenizer_type": "char" + vocab.json: one token per character, plus
/// the special tokens the config names), written as a SentencePiece vocabulary llama.cpp tokenizes character by
/// character: a space is stored as "▁" (llama.cpp's SPM tokenizer escapes spaces to it before looking tokens up), every
/// score is 0 (no two characters make a token, so no merge ever applies), no space prefix. The unk token is UNKNOWN,
/// the other named special tokens CONTROL, characters NORMAL. Not representable, and documented: the tokenizer's own
/// normalisation (e.g. tabs, NFKD), and characters outside the vocabulary, which llama.cpp looks up as &lt;0xXX&gt;
/// byte tokens that such a vocabulary does not have.
/// </summary>
internal static class CharVocabularyConversion
{
    public static bool Applies(TokenizerSettings settings) => settings.TokenizerType == "char";

    public static GgufVocabulary Convert(string folder, TokenizerSettings settings)
    {
        string path = Path.Combine(folder, settings.VocabFile ?? "vocab.json");
        using var document = TokenizerJsonFile.TryRead(path)
            ?? throw new LoraException(ErrorCodes.TokenizerMissing, $"tokenizer_config.json names a character vocabulary, but {Path.GetFileName(path)} is missing.", path);
        var tokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in document.RootElement.EnumerateObject())
            tokenIds[entry.Name] = TokenizerJsonFile.Int(entry.Value, $"The id of \"{entry.Name}\"", path);

        var special = new[] { settings.BosToken, settings.EosToken, settings.UnkToken, settings.PadToken, settings.SepToken }
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        var tokens = new string?[tokenIds.Count == 0 ? 0 : tokenIds.Values.Max() + 1];
        var types = new GgufTokenType[tokens.Length];
        foreach (var (text, id) in tokenIds)
        {
            if (tokens[id] is not null)
                throw new LoraException(ErrorCodes.UnrepresentableVocabulary, $"{Path.GetFileName(path)} gives id {id} to more than one token.", path);
            bool isSpecial = special.Contains(text);
            if (!isSpecial && text.EnumerateRunes().Count() != 1)
                throw new LoraException(ErrorCodes.UnsupportedCharVocabulary,
                    $"The character vocabulary's token \"{text}\" (id {id}) is neither one character nor a special token named by tokenizer_config.json.", path);
            if (!isSpecial && text == "▁")
                throw new LoraException(ErrorCodes.UnsupportedCharVocabulary,
                    "The character vocabulary has \"▁\" (U+2581), which llama.cpp's SentencePiece tokenizer reserves for the space.", path);
            tokens[id] = text == " " ? "▁" : text;
            types[id] = !isSpecial ? GgufTokenType.Normal : text == settings.UnkToken ? GgufTokenType.Unknown : GgufTokenType.Control;
        }

        var ids = SpecialTokenIds.Resolve(settings, tokenIds, path);
        var (addBos, addEos, decided) = AddBosEos.FromSettings(settings, defaultBos: false, defaultEos: false, ids, path);
        return new GgufVocabulary
        {
            Model = "llama",
            Tokens = tokens,
            Types = types,
            Scores = new float[tokens.Length],
            Ids = decided,
            AddBos = addBos,
            AddEos = addEos,
            AddSpacePrefix = false,
            ChatTemplate = settings.ChatTemplate,
        };
    }
}
