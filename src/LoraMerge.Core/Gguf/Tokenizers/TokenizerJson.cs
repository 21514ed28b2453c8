using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>One entry of tokenizer.json's <c>added_tokens</c>.</summary>
internal sealed record AddedToken(int Id, string Content, bool Special);

/// <summary>
/// The parts of a Hugging Face <c>tokenizer.json</c> that decide token ids: the model (vocab, merges, flags), the
/// added tokens, and the normalizer / pre_tokenizer / post_processor / decoder definitions (kept as JSON to be matched).
/// </summary>
internal sealed class TokenizerJson
{
    public required string Path { get; init; }
    public required string ModelType { get; init; }
    public required Dictionary<string, int> Vocab { get; init; }
    public required List<(string Left, string Right)> Merges { get; init; }
    public required List<AddedToken> AddedTokens { get; init; }
    public bool ByteFallback { get; init; }
    public string? UnkToken { get; init; }
    public string? ContinuingSubwordPrefix { get; init; }
    public string? EndOfWordSuffix { get; init; }
    public JsonElement Normalizer { get; init; }
    public JsonElement PreTokenizer { get; init; }
    public JsonElement PostProcessor { get; init; }
    public JsonElement Decoder { get; init; }

    public static TokenizerJson Read(string path)
    {
        using var document = TokenizerJsonFile.TryRead(path)
            ?? throw new LoraException(ErrorCodes.TokenizerMissing, "tokenizer.json is missing.", path);
        var root = document.RootElement;
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            throw new LoraException(ErrorCodes.TokenizerFileInvalid, "tokenizer.json has no \"model\" object.", path);
        string type = TokenizerJsonFile.String(model, "type", path)
            ?? throw new LoraException(ErrorCodes.UnsupportedTokenizerModel,
                "tokenizer.json's model states no \"type\"; only \"BPE\" models are converted.", path);
        if (type != "BPE")
            throw new LoraException(ErrorCodes.UnsupportedTokenizerModel,
                $"tokenizer.json's model is \"{type}\"; only \"BPE\" models (byte-level, or SentencePiece-style with byte fallback) are converted.", path);

        return new TokenizerJson
        {
            Path = path,
            ModelType = type,
            Vocab = ReadVocab(model, path),
            Merges = ReadMerges(model, path),
            AddedTokens = ReadAddedTokens(root, path),
            ByteFallback = TokenizerJsonFile.Bool(model, "byte_fallback", path) ?? false,
            UnkToken = TokenizerJsonFile.String(model, "unk_token", path),
            ContinuingSubwordPrefix = TokenizerJsonFile.String(model, "continuing_subword_prefix", path),
            EndOfWordSuffix = TokenizerJsonFile.String(model, "end_of_word_suffix", path),
            Normalizer = Part(root, "normalizer"),
            PreTokenizer = Part(root, "pre_tokenizer"),
            PostProcessor = Part(root, "post_processor"),
            Decoder = Part(root, "decoder"),
        };
    }

    /// <summary>Every token text with its id: the model's vocab and the added tokens.</summary>
    public Dictionary<string, int> AllIds()
    {
        var ids = new Dictionary<string, int>(Vocab, StringComparer.Ordinal);
        foreach (var added in AddedTokens)
            ids[added.Content] = added.Id;
        return ids;
    }

    /// <summary>Token texts by id (null where no token has the id); two texts for one id is an error.</summary>
    public string?[] TokensById()
    {
        int count = Math.Max(Vocab.Count == 0 ? 0 : Vocab.Values.Max() + 1, AddedTokens.Count == 0 ? 0 : AddedTokens.Max(a => a.Id) + 1);
        var tokens = new string?[count];
        foreach (var (text, id) in Vocab.Select(kv => (kv.Key, kv.Value)).Concat(AddedTokens.Select(a => (a.Content, a.Id))))
        {
            if (tokens[id] is { } other && other != text)
                throw new LoraException(ErrorCodes.UnrepresentableVocabulary, $"Id {id} is both \"{other}\" and \"{text}\".", Path);
            tokens[id] = text;
        }
        return tokens;
    }

    private static JsonElement Part(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value.Clone() : default;

    private static Dictionary<string, int> ReadVocab(JsonElement model, string path)
    {
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
            throw new LoraException(ErrorCodes.TokenizerFileInvalid, "tokenizer.json's model has no \"vocab\" object.", path);
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<int>();
        foreach (var entry in vocab.EnumerateObject())
        {
            int id = TokenizerJsonFile.Int(entry.Value, $"The id of \"{entry.Name}\"", path);
            if (!seen.Add(id))
                throw new LoraException(ErrorCodes.UnrepresentableVocabulary, $"tokenizer.json gives id {id} to more than one token (one is \"{entry.Name}\").", path);
            result[entry.Name] = id;
        }
        return result;
    }

    /// <summary>Merges as "a b" strings (older files) or ["a", "b"] pairs (newer ones).</summary>
    private static List<(string, string)> ReadMerges(JsonElement model, string path)
    {
        var merges = new List<(string, string)>();
        if (!model.TryGetProperty("merges", out var list) || list.ValueKind == JsonValueKind.Null)
            return merges;
        if (list.ValueKind != JsonValueKind.Array)
            throw new LoraException(ErrorCodes.TokenizerFileInvalid, "tokenizer.json's \"merges\" must be a list.", path);
        foreach (var merge in list.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.String)
            {
                var text = merge.GetString()!;
                int space = text.IndexOf(' ', StringComparison.Ordinal);
                if (space <= 0 || space != text.LastIndexOf(' ') || space == text.Length - 1)
                    throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"The merge \"{text}\" is not two tokens separated by one space.", path);
                merges.Add((text[..space], text[(space + 1)..]));
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                     && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                merges.Add((merge[0].GetString()!, merge[1].GetString()!));
            }
            else
            {
                throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"The merge {merge.GetRawText()} is neither \"a b\" nor [\"a\", \"b\"].", path);
            }
        }
        return merges;
    }

    private static List<AddedToken> ReadAddedTokens(JsonElement root, string path)
    {
        var added = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out var list) || list.ValueKind == JsonValueKind.Null)
            return added;
        if (list.ValueKind != JsonValueKind.Array)
            throw new LoraException(ErrorCodes.TokenizerFileInvalid, "tokenizer.json's \"added_tokens\" must be a list.", path);
        foreach (var token in list.EnumerateArray())
        {
            if (!token.TryGetProperty("id", out var id))
                throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"The added token {token.GetRawText()} has no id.", path);
            added.Add(new AddedToken(
                TokenizerJsonFile.Int(id, "An added token's id", path),
                TokenizerJsonFile.String(token, "content", path)
                    ?? throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"The added token {token.GetRawText()} has no content.", path),
                TokenizerJsonFile.Bool(token, "special", path) ?? false));
        }
        return added;
    }
}
