using System.Text.Json;

namespace AppWithAdapters.Inference;

/// <summary>The config.json values a Llama forward pass needs.</summary>
public sealed record LlamaConfig(
    int HiddenSize,
    int NumLayers,
    int NumHeads,
    int NumKvHeads,
    int HeadDim,
    int IntermediateSize,
    int VocabSize,
    int MaxPositions,
    float RmsNormEps,
    double RopeTheta)
{
    public static LlamaConfig FromJson(string configJson)
    {
        using var doc = JsonDocument.Parse(configJson);
        var root = doc.RootElement;
        int hidden = root.GetProperty("hidden_size").GetInt32();
        int heads = root.GetProperty("num_attention_heads").GetInt32();
        int headDim = root.TryGetProperty("head_dim", out var hd) && hd.ValueKind == JsonValueKind.Number
            ? hd.GetInt32()
            : hidden / heads;
        int kvHeads = root.TryGetProperty("num_key_value_heads", out var kv) && kv.ValueKind == JsonValueKind.Number
            ? kv.GetInt32()
            : heads;
        double theta = root.TryGetProperty("rope_theta", out var rt) ? rt.GetDouble() : 10000.0;
        return new LlamaConfig(
            hidden,
            root.GetProperty("num_hidden_layers").GetInt32(),
            heads,
            kvHeads,
            headDim,
            root.GetProperty("intermediate_size").GetInt32(),
            root.GetProperty("vocab_size").GetInt32(),
            root.GetProperty("max_position_embeddings").GetInt32(),
            (float)root.GetProperty("rms_norm_eps").GetDouble(),
            theta);
    }
}
