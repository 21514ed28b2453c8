using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>
/// A converted tokenizer as llama.cpp sees it, before padding: one entry per id from 0 (a gap is null), plus what
/// the model-specific path decided. <see cref="ToMetadata"/> pads it and writes the <c>tokenizer.*</c> entries.
/// </summary>
internal sealed class GgufVocabulary
{
    public required string Model { get; init; }

    /// <summary><c>tokenizer.ggml.pre</c>; null for SentencePiece (llama.cpp's "default").</summary>
    public string? Pre { get; init; }

    public required string?[] Tokens { get; init; }

    public required GgufTokenType[] Types { get; init; }

    /// <summary>SentencePiece only.</summary>
    public float[]? Scores { get; init; }

    /// <summary>Byte-level BPE only, each "left right".</summary>
    public IReadOnlyList<string>? Merges { get; init; }

    public required SpecialTokenIds Ids { get; init; }

    public required bool AddBos { get; init; }

    public required bool AddEos { get; init; }

    /// <summary>SentencePiece only: whether a space is put before the text (its dummy prefix).</summary>
    public bool? AddSpacePrefix { get; init; }

    public string? ChatTemplate { get; init; }

    public IReadOnlyList<GgufMetadataEntry> ToMetadata(int vocabSize, string path)
    {
        if (Tokens.Length > vocabSize)
            throw new LoraException(ErrorCodes.VocabularySizeMismatch,
                $"The tokenizer has {Tokens.Length} tokens (ids 0 to {Tokens.Length - 1}) but the model's token embedding has {vocabSize} rows.", path);
        var tokens = new string[vocabSize];
        var types = new int[vocabSize];
        var scores = Scores is null ? null : new float[vocabSize];
        for (int i = 0; i < vocabSize; i++)
        {
            // llama.cpp's converter fills ids the tokenizer lacks this way (convert_hf_to_gguf.py, get_vocab_base).
            bool present = i < Tokens.Length && Tokens[i] is not null;
            tokens[i] = present ? Tokens[i]! : $"[PAD{i}]";
            types[i] = (int)(present ? Types[i] : GgufTokenType.Unused);
            if (scores is not null)
                scores[i] = present ? Scores![i] : 0f;
        }

        var entries = new List<GgufMetadataEntry>
        {
            new("tokenizer.ggml.model", GgufValue.Of(Model)),
        };
        if (Pre is not null)
            entries.Add(new("tokenizer.ggml.pre", GgufValue.Of(Pre)));
        entries.Add(new("tokenizer.ggml.tokens", GgufValue.Of(tokens)));
        entries.Add(new("tokenizer.ggml.token_type", GgufValue.Of(types)));
        if (scores is not null)
            entries.Add(new("tokenizer.ggml.scores", GgufValue.Of(scores)));
        if (Merges is not null)
            entries.Add(new("tokenizer.ggml.merges", GgufValue.Of(Merges)));
        AddId(entries, "tokenizer.ggml.bos_token_id", Ids.Bos, vocabSize, path);
        AddId(entries, "tokenizer.ggml.eos_token_id", Ids.Eos, vocabSize, path);
        AddId(entries, "tokenizer.ggml.unknown_token_id", Ids.Unk, vocabSize, path);
        AddId(entries, "tokenizer.ggml.seperator_token_id", Ids.Sep, vocabSize, path); // llama.cpp's spelling
        AddId(entries, "tokenizer.ggml.padding_token_id", Ids.Pad, vocabSize, path);
        entries.Add(new("tokenizer.ggml.add_bos_token", GgufValue.Of(AddBos)));
        entries.Add(new("tokenizer.ggml.add_eos_token", GgufValue.Of(AddEos)));
        if (AddSpacePrefix is bool prefix)
            entries.Add(new("tokenizer.ggml.add_space_prefix", GgufValue.Of(prefix)));
        if (ChatTemplate is not null)
            entries.Add(new("tokenizer.chat_template", GgufValue.Of(ChatTemplate)));
        return entries;
    }

    private static void AddId(List<GgufMetadataEntry> entries, string key, int? id, int vocabSize, string path)
    {
        if (id is not int value)
            return;
        if (value < 0 || value >= vocabSize)
            throw new LoraException(ErrorCodes.SpecialTokenNotInVocabulary,
                $"{key} would be {value}, outside the vocabulary of {vocabSize} tokens.", path);
        entries.Add(new(key, GgufValue.Of((uint)value)));
    }
}
