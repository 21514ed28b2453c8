using System.Globalization;
using System.Text.Json;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;

namespace LoraMerge.Gguf.Architectures;

/// <summary>
/// The config.json values llama.cpp needs, read and checked once, and written as <c>{arch}.*</c> keys the way
/// llama.cpp's converter writes them.
/// </summary>
internal sealed record GgufHyperparameters(
    int ContextLength,
    int EmbeddingLength,
    int BlockCount,
    int FeedForwardLength,
    int HeadCount,
    int KeyValueHeadCount,
    int? HeadDim,
    float RmsEpsilon,
    float? RopeTheta,
    int VocabSize,
    RopeScaling? RopeScaling)
{
    /// <summary>Rotary dimensions: <c>head_dim</c> when the config states it, else hidden / heads.</summary>
    public int RopeDimensions => HeadDim ?? EmbeddingLength / HeadCount;

    /// <exception cref="LoraException"><see cref="ErrorCodes.GgufHyperparameter"/> for a missing or invalid value.</exception>
    public static GgufHyperparameters Read(string configPath)
    {
        using var document = JsonObjectDocument.Parse(File.ReadAllBytes(configPath), configPath, ErrorCodes.ModelConfig, "config.json");
        var root = document.RootElement;
        int hidden = Required(root, "hidden_size", configPath);
        int heads = Required(root, "num_attention_heads", configPath);
        int kvHeads = Optional(root, "num_key_value_heads", configPath) ?? heads;
        int? headDim = Optional(root, "head_dim", configPath);
        if (headDim is null && hidden % heads != 0)
            throw Invalid(configPath, $"hidden_size {hidden} is not a multiple of num_attention_heads {heads}");
        if (heads % kvHeads != 0)
            throw Invalid(configPath, $"num_attention_heads {heads} is not a multiple of num_key_value_heads {kvHeads}");
        return new GgufHyperparameters(
            ContextLength: Required(root, "max_position_embeddings", configPath),
            EmbeddingLength: hidden,
            BlockCount: Required(root, "num_hidden_layers", configPath),
            FeedForwardLength: Required(root, "intermediate_size", configPath),
            HeadCount: heads,
            KeyValueHeadCount: kvHeads,
            HeadDim: headDim,
            RmsEpsilon: (float)RequiredNumber(root, "rms_norm_eps", configPath),
            RopeTheta: root.TryGetProperty("rope_theta", out var theta) && theta.ValueKind == JsonValueKind.Number ? (float)theta.GetDouble() : null,
            VocabSize: Required(root, "vocab_size", configPath),
            RopeScaling: RopeScaling.Read(root, configPath));
    }

    public IEnumerable<GgufMetadataEntry> Entries(string arch)
    {
        yield return new($"{arch}.vocab_size", GgufValue.Of((uint)VocabSize));
        yield return new($"{arch}.context_length", GgufValue.Of((uint)ContextLength));
        yield return new($"{arch}.embedding_length", GgufValue.Of((uint)EmbeddingLength));
        yield return new($"{arch}.block_count", GgufValue.Of((uint)BlockCount));
        yield return new($"{arch}.feed_forward_length", GgufValue.Of((uint)FeedForwardLength));
        yield return new($"{arch}.rope.dimension_count", GgufValue.Of((uint)RopeDimensions));
        yield return new($"{arch}.attention.head_count", GgufValue.Of((uint)HeadCount));
        yield return new($"{arch}.attention.head_count_kv", GgufValue.Of((uint)KeyValueHeadCount));
        if (HeadDim is { } dim)
        {
            yield return new($"{arch}.attention.key_length", GgufValue.Of((uint)dim));
            yield return new($"{arch}.attention.value_length", GgufValue.Of((uint)dim));
        }
        yield return new($"{arch}.attention.layer_norm_rms_epsilon", GgufValue.Of(RmsEpsilon));
        if (RopeTheta is { } theta)
            yield return new($"{arch}.rope.freq_base", GgufValue.Of(theta));
        if (RopeScaling is { } scaling)
            foreach (var e in scaling.Entries(arch))
                yield return e;
    }

    private static int Required(JsonElement root, string key, string path) =>
        Optional(root, key, path) ?? throw Invalid(path, $"\"{key}\" is missing");

    private static int? Optional(JsonElement root, string key, string path)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int n) || n <= 0)
            throw Invalid(path, $"\"{key}\" must be a positive integer, not {value.GetRawText()}");
        return n;
    }

    internal static double RequiredNumber(JsonElement root, string key, string path)
    {
        if (!root.TryGetProperty(key, out var value))
            throw Invalid(path, $"\"{key}\" is missing");
        if (value.ValueKind != JsonValueKind.Number || !double.IsFinite(value.GetDouble()))
            throw Invalid(path, $"\"{key}\" must be a number, not {value.GetRawText()}");
        return value.GetDouble();
    }

    internal static LoraException Invalid(string path, string what) =>
        new(ErrorCodes.GgufHyperparameter, $"config.json cannot be written as GGUF: {what}.", path);
}

/// <summary>
/// config.json's <c>rope_scaling</c>: linear and YaRN become <c>{arch}.rope.scaling.*</c> keys; Llama 3's becomes a
/// <c>rope_freqs.weight</c> tensor of per-frequency factors, as llama.cpp's converter computes them.
/// </summary>
internal sealed record RopeScaling(string Type, float Factor, int? OriginalContextLength, float LowFreqFactor, float HighFreqFactor)
{
    public static RopeScaling? Read(JsonElement root, string path)
    {
        if (!root.TryGetProperty("rope_scaling", out var scaling) || scaling.ValueKind == JsonValueKind.Null)
            return null;
        if (scaling.ValueKind != JsonValueKind.Object)
            throw GgufHyperparameters.Invalid(path, "\"rope_scaling\" must be an object or null");
        string? type = (scaling.TryGetProperty("rope_type", out var t) || scaling.TryGetProperty("type", out t)) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "default":
                return null;
            case "linear" or "yarn" or "llama3":
                float factor = (float)GgufHyperparameters.RequiredNumber(scaling, "factor", path);
                int? original = scaling.TryGetProperty("original_max_position_embeddings", out var o) && o.ValueKind == JsonValueKind.Number ? o.GetInt32() : null;
                float low = scaling.TryGetProperty("low_freq_factor", out var l) && l.ValueKind == JsonValueKind.Number ? (float)l.GetDouble() : 1f;
                float high = scaling.TryGetProperty("high_freq_factor", out var h) && h.ValueKind == JsonValueKind.Number ? (float)h.GetDouble() : 4f;
                if (type == "llama3" && original is null)
                    throw GgufHyperparameters.Invalid(path, "rope_scaling of type llama3 has no original_max_position_embeddings");
                return new RopeScaling(type, factor, original, low, high);
            default:
                throw GgufHyperparameters.Invalid(path, $"rope_scaling type {(type is null ? "(none)" : $"\"{type}\"")} is not one llama.cpp's converter writes (linear, yarn, llama3)");
        }
    }

    public IEnumerable<GgufMetadataEntry> Entries(string arch)
    {
        if (Type == "llama3")
            yield break;
        yield return new($"{arch}.rope.scaling.type", GgufValue.Of(Type));
        yield return new($"{arch}.rope.scaling.factor", GgufValue.Of(Factor));
        if (Type == "yarn" && OriginalContextLength is { } original)
            yield return new($"{arch}.rope.scaling.original_context_length", GgufValue.Of((uint)original));
    }

    /// <summary>Llama 3's per-frequency factors (<c>rope_freqs.weight</c>), null for other types.</summary>
    public float[]? FrequencyFactors(GgufHyperparameters hp)
    {
        if (Type != "llama3")
            return null;
        int dim = hp.RopeDimensions;
        float theta = hp.RopeTheta ?? 10000f;
        float oldContext = OriginalContextLength!.Value;
        float lowWavelength = oldContext / LowFreqFactor;
        float highWavelength = oldContext / HighFreqFactor;
        var factors = new float[dim / 2];
        for (int i = 0; i < factors.Length; i++)
        {
            float freq = 1f / MathF.Pow(theta, 2 * i / (float)dim);
            float wavelength = 2 * MathF.PI / freq;
            if (wavelength < highWavelength)
                factors[i] = 1f;
            else if (wavelength > lowWavelength)
                factors[i] = Factor;
            else
            {
                float smooth = (oldContext / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                factors[i] = 1f / ((1 - smooth) / Factor + smooth);
            }
        }
        return factors;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Type} x{Factor}");
}
