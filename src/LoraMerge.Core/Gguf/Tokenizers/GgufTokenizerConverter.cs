using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>Converts a Hugging Face model folder's tokenizer into GGUF tokenizer metadata (docs/gguf.md, "Tokenizers").</summary>
public static class GgufTokenizerConverter
{
    /// <summary>
    /// Reads the tokenizer of a Hugging Face model folder and returns every tokenizer.ggml.* / tokenizer.chat_template
    /// metadata entry, in a deterministic order. vocabSize = rows of the model's token embedding (config vocab_size):
    /// a tokenizer with fewer tokens is padded to it the way llama.cpp's converter does ("[PAD{i}]", type UNUSED);
    /// one with more tokens than vocabSize → LoraException(LORA1604). No tokenizer files at all → LORA1605. A shape
    /// that matches none of the known ones → a coded error (LORA1620–LORA1626) naming what did not match.
    /// </summary>
    /// <remarks>Sources, first found wins: tokenizer.json (what Hugging Face's fast tokenizer runs), tokenizer.model,
    /// a character vocabulary ("tokenizer_type": "char").</remarks>
    public static IReadOnlyList<GgufMetadataEntry> Convert(string modelFolder, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(modelFolder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        var settings = TokenizerSettings.Read(modelFolder);
        var (vocabulary, path) = Read(modelFolder, settings);
        return vocabulary.ToMetadata(vocabSize, path);
    }

    private static (GgufVocabulary, string) Read(string folder, TokenizerSettings settings)
    {
        string jsonPath = Path.Combine(folder, "tokenizer.json");
        if (File.Exists(jsonPath))
        {
            var json = TokenizerJson.Read(jsonPath);
            if (SentencePieceJsonConversion.Applies(json))
                return (WithChatTemplate(SentencePieceJsonConversion.Convert(json, settings), folder), jsonPath);
            if (ByteLevelBpeConversion.Applies(json))
                return (WithChatTemplate(ByteLevelBpeConversion.Convert(json, settings), folder), jsonPath);
            throw new LoraException(ErrorCodes.UnsupportedTokenizerModel,
                $"tokenizer.json's BPE model is neither byte-level (decoder ByteLevel, no byte_fallback) nor SentencePiece-style (byte_fallback); its decoder is {CanonicalJson.Of(json.Decoder)}.",
                jsonPath);
        }
        string modelPath = Path.Combine(folder, "tokenizer.model");
        if (File.Exists(modelPath))
            return (WithChatTemplate(SentencePieceModelConversion.Convert(modelPath, settings), folder), modelPath);
        if (CharVocabularyConversion.Applies(settings))
            return (WithChatTemplate(CharVocabularyConversion.Convert(folder, settings), folder), Path.Combine(folder, "tokenizer_config.json"));
        throw new LoraException(ErrorCodes.TokenizerMissing,
            "The model folder has no tokenizer LoraMerge converts: no tokenizer.json, no tokenizer.model, and no tokenizer_config.json with \"tokenizer_type\": \"char\".",
            folder);
    }

    /// <summary>Newer transformers save the template as chat_template.jinja instead of inside tokenizer_config.json.</summary>
    private static GgufVocabulary WithChatTemplate(GgufVocabulary vocabulary, string folder)
    {
        string jinja = Path.Combine(folder, "chat_template.jinja");
        if (vocabulary.ChatTemplate is not null || !File.Exists(jinja))
            return vocabulary;
        return new GgufVocabulary
        {
            Model = vocabulary.Model, Pre = vocabulary.Pre, Tokens = vocabulary.Tokens, Types = vocabulary.Types, Scores = vocabulary.Scores,
            Merges = vocabulary.Merges, Ids = vocabulary.Ids, AddBos = vocabulary.AddBos, AddEos = vocabulary.AddEos,
            AddSpacePrefix = vocabulary.AddSpacePrefix, ChatTemplate = File.ReadAllText(jinja),
        };
    }
}
