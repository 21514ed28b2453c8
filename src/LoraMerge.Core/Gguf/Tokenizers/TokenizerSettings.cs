using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>
/// What a model folder's small tokenizer files say: the special tokens by name (tokenizer_config.json, else
/// special_tokens_map.json), their ids as config.json / generation_config.json state them, add_bos_token /
/// add_eos_token when stated, the tokenizer class and the chat template.
/// </summary>
internal sealed class TokenizerSettings
{
    public string? BosToken { get; private init; }
    public string? EosToken { get; private init; }
    public string? UnkToken { get; private init; }
    public string? PadToken { get; private init; }
    public string? SepToken { get; private init; }
    public int? ConfigBosId { get; private init; }
    public int? ConfigEosId { get; private init; }
    public int? ConfigPadId { get; private init; }
    public bool? AddBosToken { get; private init; }
    public bool? AddEosToken { get; private init; }
    public string? TokenizerClass { get; private init; }
    public string? TokenizerType { get; private init; }
    public string? VocabFile { get; private init; }
    public string? ChatTemplate { get; private init; }
    public bool HasTokenizerConfig { get; private init; }

    public static TokenizerSettings Read(string folder)
    {
        string configPath = Path.Combine(folder, "tokenizer_config.json");
        string mapPath = Path.Combine(folder, "special_tokens_map.json");
        using var tokenizerConfig = TokenizerJsonFile.TryRead(configPath);
        using var specialMap = TokenizerJsonFile.TryRead(mapPath);
        using var modelConfig = TokenizerJsonFile.TryRead(Path.Combine(folder, "config.json"));
        using var generationConfig = TokenizerJsonFile.TryRead(Path.Combine(folder, "generation_config.json"));
        var tc = tokenizerConfig?.RootElement ?? default;
        var map = specialMap?.RootElement ?? default;

        string? Token(string name) => TokenName(tc, name, configPath) ?? TokenName(map, name, mapPath);
        int? Id(string name) =>
            ConfigId(modelConfig?.RootElement ?? default, name, Path.Combine(folder, "config.json"))
            ?? ConfigId(generationConfig?.RootElement ?? default, name, Path.Combine(folder, "generation_config.json"));

        return new TokenizerSettings
        {
            BosToken = Token("bos_token"),
            EosToken = Token("eos_token"),
            UnkToken = Token("unk_token"),
            PadToken = Token("pad_token"),
            SepToken = Token("sep_token"),
            ConfigBosId = Id("bos_token_id"),
            ConfigEosId = Id("eos_token_id"),
            ConfigPadId = Id("pad_token_id"),
            AddBosToken = TokenizerJsonFile.Bool(tc, "add_bos_token", configPath),
            AddEosToken = TokenizerJsonFile.Bool(tc, "add_eos_token", configPath),
            TokenizerClass = TokenizerJsonFile.String(tc, "tokenizer_class", configPath),
            TokenizerType = TokenizerJsonFile.String(tc, "tokenizer_type", configPath),
            VocabFile = TokenizerJsonFile.String(tc, "vocab_file", configPath),
            ChatTemplate = ChatTemplateOf(tc, configPath),
            HasTokenizerConfig = tokenizerConfig is not null,
        };
    }

    /// <summary>A special token as tokenizer_config.json writes it: a string, or an AddedToken object with "content".</summary>
    private static string? TokenName(JsonElement obj, string name, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object => TokenizerJsonFile.String(value, "content", path)
                ?? throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"'{name}' has no \"content\".", path),
            _ => throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"'{name}' must be a string or an object with \"content\".", path),
        };
    }

    /// <summary>An id in config.json / generation_config.json; a list (several eos ids) gives its first.</summary>
    private static int? ConfigId(JsonElement obj, string name, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.Array)
            return value.GetArrayLength() == 0 ? null : TokenizerJsonFile.Int(value[0], $"'{name}'", path);
        return TokenizerJsonFile.Int(value, $"'{name}'", path);
    }

    /// <summary>The template verbatim; a list of named templates is not converted (llama.cpp takes one string).</summary>
    private static string? ChatTemplateOf(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty("chat_template", out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.String)
            return value.GetString();
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
                if (TokenizerJsonFile.String(item, "name", path) == "default")
                    return TokenizerJsonFile.String(item, "template", path);
            return null;
        }
        throw new LoraException(ErrorCodes.TokenizerFileInvalid, "'chat_template' must be a string or a list of named templates.", path);
    }
}
