using System.Text.RegularExpressions;
using LoraMerge.Diagnostics;
using LoraMerge.Models;

namespace LoraMerge.Gguf.Architectures;

/// <summary>
/// A Hugging Face architecture that llama.cpp runs, and how its tensors are named there. One owner of the
/// name mapping: docs/gguf.md's table is this class in prose.
/// </summary>
internal sealed partial class GgufArchitecture
{
    private static readonly IReadOnlyDictionary<string, GgufArchitecture> ByHuggingFaceName = new Dictionary<string, GgufArchitecture>(StringComparer.Ordinal)
    {
        ["LlamaForCausalLM"] = new("llama", permutesQueryKey: true, hasQueryKeyNorm: false),
        ["MistralForCausalLM"] = new("llama", permutesQueryKey: true, hasQueryKeyNorm: false),
        ["Qwen2ForCausalLM"] = new("qwen2", permutesQueryKey: false, hasQueryKeyNorm: false),
        ["Qwen3ForCausalLM"] = new("qwen3", permutesQueryKey: false, hasQueryKeyNorm: true),
    };

    private GgufArchitecture(string name, bool permutesQueryKey, bool hasQueryKeyNorm)
    {
        Name = name;
        PermutesQueryKey = permutesQueryKey;
        HasQueryKeyNorm = hasQueryKeyNorm;
    }

    /// <summary>llama.cpp's <c>general.architecture</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// llama.cpp runs Llama's rotary embedding on interleaved pairs, Hugging Face on halves: the converter reorders the
    /// rows of each head of q_proj and k_proj to match. Qwen uses llama.cpp's NeoX-style rope and needs no reordering.
    /// </summary>
    public bool PermutesQueryKey { get; }

    public bool HasQueryKeyNorm { get; }

    public static IReadOnlyCollection<string> SupportedNames => ByHuggingFaceName.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <exception cref="LoraException"><see cref="ErrorCodes.UnsupportedArchitecture"/>.</exception>
    public static GgufArchitecture For(ModelConfig config)
    {
        var names = config.Architectures;
        if (names.Count == 1 && ByHuggingFaceName.TryGetValue(names[0], out var architecture))
            return architecture;
        string found = names.Count == 0 ? "no \"architectures\"" : $"\"architectures\": [{string.Join(", ", names.Select(n => $"\"{n}\""))}]";
        throw new LoraException(ErrorCodes.UnsupportedArchitecture,
            $"GGUF output supports {string.Join(", ", SupportedNames)}; config.json has {found}.", config.Path);
    }

    /// <summary>The GGUF name of a checkpoint tensor; null for one the GGUF leaves out; an error for one it does not know.</summary>
    /// <exception cref="LoraException"><see cref="ErrorCodes.UnmappedTensor"/>.</exception>
    public string? GgufName(string name, bool tiedEmbeddings, string file)
    {
        switch (name)
        {
            case "model.embed_tokens.weight":
                return "token_embd.weight";
            case "model.norm.weight":
                return "output_norm.weight";
            case "lm_head.weight":
                return tiedEmbeddings ? null : "output.weight";
        }
        if (name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal))
            return null;
        var layer = LayerTensor().Match(name);
        if (layer.Success && LayerPart(layer.Groups["part"].Value) is { } part)
            return $"blk.{layer.Groups["layer"].Value}.{part}.{layer.Groups["kind"].Value}";
        throw new LoraException(ErrorCodes.UnmappedTensor,
            $"Tensor '{name}' has no GGUF name for architecture '{Name}' (llama.cpp would not load it).", file);
    }

    private string? LayerPart(string part) => part switch
    {
        "input_layernorm" => "attn_norm",
        "post_attention_layernorm" => "ffn_norm",
        "self_attn.q_proj" => "attn_q",
        "self_attn.k_proj" => "attn_k",
        "self_attn.v_proj" => "attn_v",
        "self_attn.o_proj" => "attn_output",
        "self_attn.q_norm" when HasQueryKeyNorm => "attn_q_norm",
        "self_attn.k_norm" when HasQueryKeyNorm => "attn_k_norm",
        "mlp.gate_proj" => "ffn_gate",
        "mlp.up_proj" => "ffn_up",
        "mlp.down_proj" => "ffn_down",
        _ => null,
    };

    /// <summary>Heads whose rows the converter reorders for this GGUF tensor (0: none).</summary>
    public int PermutedHeads(string ggufName, GgufHyperparameters hp)
    {
        if (!PermutesQueryKey)
            return 0;
        if (ggufName.EndsWith(".attn_q.weight", StringComparison.Ordinal) || ggufName.EndsWith(".attn_q.bias", StringComparison.Ordinal))
            return hp.HeadCount;
        if (ggufName.EndsWith(".attn_k.weight", StringComparison.Ordinal) || ggufName.EndsWith(".attn_k.bias", StringComparison.Ordinal))
            return hp.KeyValueHeadCount;
        return 0;
    }

    [GeneratedRegex(@"^model\.layers\.(?<layer>\d+)\.(?<part>.+)\.(?<kind>weight|bias)$")]
    private static partial Regex LayerTensor();
}
