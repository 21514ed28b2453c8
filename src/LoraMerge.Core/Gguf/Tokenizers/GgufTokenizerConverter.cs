using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

// Interim: the character vocabulary only, until the tokenizer conversion lands.
public static class GgufTokenizerConverter
{
    public static IReadOnlyList<GgufMetadataEntry> Convert(string modelFolder, int vocabSize)
    {
        string configPath = Path.Combine(modelFolder, "tokenizer_config.json");
        string vocabPath = Path.Combine(modelFolder, "vocab.json");
        if (!File.Exists(configPath) || !File.Exists(vocabPath))
            throw new LoraException(ErrorCodes.TokenizerMissing, "The model folder has no tokenizer files.", modelFolder);
        using var config = JsonDocument.Parse(File.ReadAllBytes(configPath));
        using var vocabJson = JsonDocument.Parse(File.ReadAllBytes(vocabPath));
        var vocab = vocabJson.RootElement.EnumerateObject().ToDictionary(p => p.Value.GetInt32(), p => p.Name);
        if (vocab.Count > vocabSize)
            throw new LoraException(ErrorCodes.VocabularySizeMismatch, $"vocab.json has {vocab.Count} tokens for {vocabSize} embedding rows.", vocabPath);
        var tokens = new string[vocabSize];
        var types = new int[vocabSize];
        var scores = new float[vocabSize];
        for (int i = 0; i < vocabSize; i++)
        {
            string piece = vocab.TryGetValue(i, out var p) ? p : $"[PAD{i}]";
            tokens[i] = piece == " " ? "\u2581" : piece;
            types[i] = !vocab.ContainsKey(i) ? 5 : piece == "<unk>" ? 2 : piece.StartsWith('<') && piece.Length > 1 ? 3 : 1;
        }
        int Id(string key) => vocab.First(v => v.Value == config.RootElement.GetProperty(key).GetString()).Key;
        return
        [
            new("tokenizer.ggml.model", GgufValue.Of("llama")),
            new("tokenizer.ggml.tokens", GgufValue.Of(tokens)),
            new("tokenizer.ggml.scores", GgufValue.Of(scores)),
            new("tokenizer.ggml.token_type", GgufValue.Of(types)),
            new("tokenizer.ggml.bos_token_id", GgufValue.Of((uint)Id("bos_token"))),
            new("tokenizer.ggml.eos_token_id", GgufValue.Of((uint)Id("eos_token"))),
            new("tokenizer.ggml.unknown_token_id", GgufValue.Of((uint)Id("unk_token"))),
            new("tokenizer.ggml.add_bos_token", GgufValue.Of(true)),
            new("tokenizer.ggml.add_eos_token", GgufValue.Of(false)),
            new("tokenizer.ggml.add_space_prefix", GgufValue.Of(false)),
        ];
    }
}
