using System.Text;

namespace LoraMerge.Generators.Tests.Infrastructure;

/// <summary>Model manifests as the describe step writes them (docs/architecture.md, "Model manifest").</summary>
internal static class Manifests
{
    public const string Fingerprint = "9b1c0d7f3e2a4b5c6d7e8f901a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";

    public static string Build(string model, string config, IEnumerable<(string Name, string DType, long[] Shape, string File)> tensors,
        bool embedded = false, string artifact = "models/", string fingerprint = Fingerprint, string[]? formats = null)
    {
        var json = new StringBuilder();
        json.Append("{\n  \"formatVersion\": 1,\n");
        json.Append($"  \"model\": \"{model}\",\n");
        json.Append($"  \"artifact\": \"{(artifact == "models/" ? artifact + model : artifact)}\",\n");
        json.Append($"  \"embedded\": {(embedded ? "true" : "false")},\n");
        json.Append($"  \"fingerprint\": \"{fingerprint}\",\n");
        if (formats is not null) json.Append($"  \"formats\": [{string.Join(", ", formats.Select(f => $"\"{f}\""))}],\n");
        json.Append($"  \"config\": {config}");
        if (formats is not null && !formats.Contains("safetensors")) return json.Append("\n}\n").ToString();
        json.Append(",\n  \"tensors\": [\n");
        json.Append(string.Join(",\n", tensors.Select(t =>
            $"    {{ \"name\": \"{t.Name}\", \"dtype\": \"{t.DType}\", \"shape\": [{string.Join(", ", t.Shape)}], \"file\": \"{t.File}\" }}")));
        json.Append("\n  ]\n}\n");
        return json.ToString();
    }

    /// <summary>The manifest with the item's class options (<c>Namespace</c>, <c>ClassName</c>, <c>Access</c>) as the describe step writes them.</summary>
    public static string WithClassOptions(string manifest, string? classNamespace = null, string? className = null, string? access = null)
    {
        var fields = new StringBuilder();
        if (classNamespace is not null) fields.Append($"  \"namespace\": \"{classNamespace}\",\n");
        if (className is not null) fields.Append($"  \"className\": \"{className}\",\n");
        if (access is not null) fields.Append($"  \"access\": \"{access}\",\n");
        return manifest.Replace("  \"config\":", fields + "  \"config\":");
    }

    public static IEnumerable<(string, string, long[], string)> Tensors(string dtype, params (string Name, long[] Shape)[] tensors) =>
        tensors.Select(t => (t.Name, dtype, t.Shape, "model.safetensors"));

    /// <summary>A two-layer Llama with every tensor kind a Llama checkpoint has.</summary>
    public static string Llama(string model = "Math", bool embedded = false, string[]? formats = null)
    {
        var tensors = new List<(string, long[])> { ("model.embed_tokens.weight", [32, 8]) };
        for (var i = 0; i < 2; i++)
        {
            var p = $"model.layers.{i}.";
            tensors.Add((p + "input_layernorm.weight", [8]));
            foreach (var proj in new[] { "q_proj", "k_proj", "v_proj", "o_proj" }) tensors.Add((p + "self_attn." + proj + ".weight", [8, 8]));
            tensors.Add((p + "post_attention_layernorm.weight", [8]));
            foreach (var proj in new[] { "gate_proj", "up_proj" }) tensors.Add((p + "mlp." + proj + ".weight", [16, 8]));
            tensors.Add((p + "mlp.down_proj.weight", [8, 16]));
        }
        tensors.Add(("model.norm.weight", [8]));
        tensors.Add(("lm_head.weight", [32, 8]));
        const string config = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 8, "intermediate_size": 16,
             "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 32,
             "max_position_embeddings": 4096, "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "tie_word_embeddings": false,
             "torch_dtype": "bfloat16", "bos_token_id": 1, "eos_token_id": [2, 3], "rope_scaling": null,
             "attention_bias": false, "big_number": 10000000000, "quoted": "say \"hi\"\n"}
            """;
        return Build(model, config, Tensors("BF16", tensors.ToArray()), embedded, formats: formats);
    }

    /// <summary>A one-layer GPT-2 (transformer.h.N, Conv1D names, F32).</summary>
    public static string Gpt2(string model = "Story")
    {
        var tensors = new List<(string, long[])> { ("transformer.wte.weight", [50, 8]), ("transformer.wpe.weight", [16, 8]) };
        var p = "transformer.h.0.";
        tensors.Add((p + "ln_1.weight", [8]));
        tensors.Add((p + "ln_1.bias", [8]));
        tensors.Add((p + "attn.c_attn.weight", [8, 24]));
        tensors.Add((p + "attn.c_attn.bias", [24]));
        tensors.Add((p + "attn.c_proj.weight", [8, 8]));
        tensors.Add((p + "attn.c_proj.bias", [8]));
        tensors.Add((p + "ln_2.weight", [8]));
        tensors.Add((p + "ln_2.bias", [8]));
        tensors.Add((p + "mlp.c_fc.weight", [8, 32]));
        tensors.Add((p + "mlp.c_fc.bias", [32]));
        tensors.Add((p + "mlp.c_proj.weight", [32, 8]));
        tensors.Add((p + "mlp.c_proj.bias", [8]));
        tensors.Add(("transformer.ln_f.weight", [8]));
        tensors.Add(("transformer.ln_f.bias", [8]));
        tensors.Add(("lm_head.weight", [50, 8]));
        const string config = """
            {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": 8, "n_layer": 1, "n_head": 2,
             "n_positions": 16, "vocab_size": 50, "layer_norm_epsilon": 1e-05, "activation_function": "gelu_new",
             "scale_attn_weights": true, "task_specific_params": {"text-generation": {"do_sample": true}}}
            """;
        return Build(model, config, Tensors("F32", tensors.ToArray()));
    }
}
