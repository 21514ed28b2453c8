using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>The ids llama.cpp needs; null where the folder names none.</summary>
internal sealed record SpecialTokenIds(int? Bos, int? Eos, int? Unk, int? Pad, int? Sep)
{
    /// <summary>
    /// A token named in tokenizer_config.json / special_tokens_map.json is looked up in the vocabulary (it must be
    /// there); a token named nowhere falls back to config.json's, then generation_config.json's, id.
    /// </summary>
    public static SpecialTokenIds Resolve(TokenizerSettings settings, IReadOnlyDictionary<string, int> ids, string path)
    {
        int? Lookup(string? token, string what, int? configId)
        {
            if (token is null)
                return configId;
            return ids.TryGetValue(token, out int id)
                ? id
                : throw new LoraException(ErrorCodes.SpecialTokenNotInVocabulary,
                    $"The {what} \"{token}\" named by the tokenizer's configuration is not a token of its vocabulary.", path);
        }

        return new SpecialTokenIds(
            Lookup(settings.BosToken, "bos_token", settings.ConfigBosId),
            Lookup(settings.EosToken, "eos_token", settings.ConfigEosId),
            Lookup(settings.UnkToken, "unk_token", null),
            Lookup(settings.PadToken, "pad_token", settings.ConfigPadId),
            Lookup(settings.SepToken, "sep_token", null));
    }
}
