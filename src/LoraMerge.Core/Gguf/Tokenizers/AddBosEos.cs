using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>
/// Decides tokenizer.ggml.add_bos_token / add_eos_token as the folder's Hugging Face tokenizer behaves by default:
/// what its post_processor adds, except for the Llama-family classes, whose fast tokenizer rebuilds the post-processor
/// from tokenizer_config.json's add_bos_token / add_eos_token (defaults true / false) when it loads.
/// </summary>
internal static class AddBosEos
{
    private static readonly HashSet<string> ClassesThatRebuildTheTemplate = new(StringComparer.Ordinal)
    {
        "LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer", "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast",
    };

    public static (bool AddBos, bool AddEos, SpecialTokenIds Ids) Decide(
        TokenizerSettings settings, JsonElement postProcessor, IReadOnlyDictionary<string, int> tokenIds, SpecialTokenIds ids, string path)
    {
        bool addBos, addEos;
        if (settings.TokenizerClass is { } cls && ClassesThatRebuildTheTemplate.Contains(cls))
        {
            addBos = settings.AddBosToken ?? true;
            addEos = settings.AddEosToken ?? false;
        }
        else
        {
            var (before, after) = PostProcessorBos.Read(postProcessor, path);
            ids = ids with { Bos = Agree(before, ids.Bos, "bos_token", tokenIds, path), Eos = Agree(after, ids.Eos, "eos_token", tokenIds, path) };
            addBos = before is not null;
            addEos = after is not null;
        }
        return Checked(addBos, addEos, ids, path);
    }

    /// <summary>For tokenizers without tokenizer.json: the configuration's flags, else the given defaults.</summary>
    public static (bool AddBos, bool AddEos, SpecialTokenIds Ids) FromSettings(TokenizerSettings settings, bool defaultBos, bool defaultEos, SpecialTokenIds ids, string path) =>
        Checked(settings.AddBosToken ?? defaultBos, settings.AddEosToken ?? defaultEos, ids, path);

    private static (bool, bool, SpecialTokenIds) Checked(bool addBos, bool addEos, SpecialTokenIds ids, string path)
    {
        // llama.cpp refuses to load a vocabulary that adds a token it has no id for.
        if (addBos && ids.Bos is null)
            throw new LoraException(ErrorCodes.SpecialTokenNotInVocabulary, "The tokenizer adds a BOS token but names none (no bos_token, no bos_token_id).", path);
        if (addEos && ids.Eos is null)
            throw new LoraException(ErrorCodes.SpecialTokenNotInVocabulary, "The tokenizer adds an EOS token but names none (no eos_token, no eos_token_id).", path);
        return (addBos, addEos, ids);
    }

    private static int? Agree(string? added, int? configured, string what, IReadOnlyDictionary<string, int> tokenIds, string path)
    {
        if (added is null)
            return configured;
        if (!tokenIds.TryGetValue(added, out int id))
            throw new LoraException(ErrorCodes.SpecialTokenNotInVocabulary, $"The post_processor adds \"{added}\", which is not a token of the vocabulary.", path);
        if (configured is int other && other != id)
            throw new LoraException(ErrorCodes.UnsupportedPostProcessor,
                $"The post_processor adds \"{added}\" (id {id}) where the {what} is id {other}; llama.cpp can only add the {what}.", path);
        return id;
    }
}
