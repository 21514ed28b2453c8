using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>
/// A SentencePiece <c>tokenizer.model</c> (used when the folder has no tokenizer.json): tokenizer.ggml.model "llama",
/// pieces, scores and types as the model states them, add_space_prefix from its add_dummy_prefix, add_bos / add_eos
/// from tokenizer_config.json (LlamaTokenizer's defaults true / false).
/// </summary>
internal static class SentencePieceModelConversion
{
    public static GgufVocabulary Convert(string path, TokenizerSettings settings)
    {
        var model = SentencePieceModel.Read(path);
        if (model.ModelType != SentencePieceModel.ModelTypeBpe)
            throw new LoraException(ErrorCodes.UnsupportedTokenizerModel,
                $"tokenizer.model is a SentencePiece model of type {model.ModelType} ({(model.ModelType == SentencePieceModel.ModelTypeUnigram ? "unigram" : "not BPE")}); only BPE models are converted.", path);
        var tokens = model.Pieces.Select(p => (string?)p.Text).ToArray();
        var tokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++)
            if (!tokenIds.TryAdd(tokens[i]!, i))
                throw new LoraException(ErrorCodes.UnrepresentableVocabulary, $"tokenizer.model has the piece \"{tokens[i]}\" twice.", path);

        var ids = SpecialTokenIds.Resolve(settings, tokenIds, path);
        if (ids.Unk is null && model.Pieces.FindIndex(p => p.Type == GgufTokenType.Unknown) is int unk and >= 0)
            ids = ids with { Unk = unk };
        var (addBos, addEos, decided) = AddBosEos.FromSettings(settings, defaultBos: true, defaultEos: false, ids, path);
        return new GgufVocabulary
        {
            Model = "llama",
            Tokens = tokens,
            Types = model.Pieces.Select(p => p.Type).ToArray(),
            Scores = model.Pieces.Select(p => p.Score).ToArray(),
            Ids = decided,
            AddBos = addBos,
            AddEos = addEos,
            AddSpacePrefix = model.AddDummyPrefix,
            ChatTemplate = settings.ChatTemplate,
        };
    }
}
