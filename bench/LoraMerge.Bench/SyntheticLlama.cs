using System.Runtime.InteropServices;
using LoraMerge.Formats;

namespace LoraMerge.Bench;

/// <summary>Writes a Llama-shaped base model (random weights) and a LoRA adapter on all seven projections.</summary>
internal static class SyntheticLlama
{
    public static int Generate(BenchArgs args)
    {
        string root = args.Get("out");
        int layers = args.Int("layers", 8), hidden = args.Int("hidden", 2048), intermediate = args.Int("intermediate", 5632);
        int vocab = args.Int("vocab", 32000), rank = args.Int("rank", 16);
        var dtype = args.String("dtype", "bf16") == "f16" ? DType.F16 : DType.BF16;
        int kvHidden = hidden / 4;

        var baseDir = Directory.CreateDirectory(Path.Combine(root, "base")).FullName;
        File.WriteAllText(Path.Combine(baseDir, "config.json"), $$"""
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": {{hidden}},
             "intermediate_size": {{intermediate}}, "num_attention_heads": 16, "num_key_value_heads": 4,
             "num_hidden_layers": {{layers}}, "vocab_size": {{vocab}}, "rms_norm_eps": 1e-05,
             "max_position_embeddings": 4096, "rope_theta": 10000.0,
             "tie_word_embeddings": false, "torch_dtype": "{{(dtype == DType.BF16 ? "bfloat16" : "float16")}}"}
            """);
        WriteCharTokenizer(baseDir, vocab);
        var projections = new (string Module, long Out, long In)[]
        {
            ("self_attn.q_proj", hidden, hidden), ("self_attn.k_proj", kvHidden, hidden), ("self_attn.v_proj", kvHidden, hidden),
            ("self_attn.o_proj", hidden, hidden), ("mlp.gate_proj", intermediate, hidden), ("mlp.up_proj", intermediate, hidden),
            ("mlp.down_proj", hidden, intermediate),
        };
        var specs = new List<TensorSpec> { new("model.embed_tokens.weight", dtype, [vocab, hidden]) };
        for (int l = 0; l < layers; l++)
        {
            specs.Add(new($"model.layers.{l}.input_layernorm.weight", dtype, [hidden]));
            specs.Add(new($"model.layers.{l}.post_attention_layernorm.weight", dtype, [hidden]));
            foreach (var p in projections)
                specs.Add(new($"model.layers.{l}.{p.Module}.weight", dtype, [p.Out, p.In]));
        }
        specs.Add(new("model.norm.weight", dtype, [hidden]));
        specs.Add(new("lm_head.weight", dtype, [vocab, hidden]));
        // In the order safetensors' own writer (what save_pretrained calls) lays tensors out: by dtype, then by name.
        specs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        WriteRandom(Path.Combine(baseDir, "model.safetensors"), specs, seed: 1);

        var adapterDir = Directory.CreateDirectory(Path.Combine(root, "adapter")).FullName;
        File.WriteAllText(Path.Combine(adapterDir, "adapter_config.json"), $$"""
            {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": {{rank}}, "lora_alpha": {{2 * rank}},
             "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
             "bias": "none", "use_rslora": false, "use_dora": false, "fan_in_fan_out": false}
            """);
        var adapterSpecs = new List<TensorSpec>();
        for (int l = 0; l < layers; l++)
            foreach (var p in projections)
            {
                adapterSpecs.Add(new($"base_model.model.model.layers.{l}.{p.Module}.lora_A.weight", DType.F32, [rank, p.In]));
                adapterSpecs.Add(new($"base_model.model.model.layers.{l}.{p.Module}.lora_B.weight", DType.F32, [p.Out, rank]));
            }
        WriteRandom(Path.Combine(adapterDir, "adapter_model.safetensors"), adapterSpecs, seed: 2);
        Console.WriteLine($"{specs.Sum(s => s.ByteLength) / 1e9:F2} GB base, {adapterSpecs.Sum(s => s.ByteLength) / 1e6:F1} MB adapter in {root}");
        return 0;
    }

    private static void WriteRandom(string path, List<TensorSpec> specs, ulong seed)
    {
        using var writer = SafetensorsWriter.Create(path, specs, new Dictionary<string, string> { ["format"] = "pt" });
        var buffer = new byte[8 << 20];
        ulong state = seed * 0x9E3779B97F4A7C15UL + 1;
        for (int i = 0; i < specs.Count; i++)
            for (long offset = 0; offset < specs[i].ByteLength; offset += buffer.Length)
            {
                int n = (int)Math.Min(buffer.Length, specs[i].ByteLength - offset);
                Fill(buffer.AsSpan(0, n), specs[i].DType, ref state);
                writer.Write(i, offset, buffer.AsSpan(0, n));
            }
        writer.Commit();
    }

    // Small random values of either sign: |w| in [2^-7, 2^-6) for half types, [-0.05, 0.05) for f32.
    private static void Fill(Span<byte> bytes, DType dtype, ref ulong state)
    {
        if (dtype == DType.F32)
        {
            foreach (ref var f in MemoryMarshal.Cast<byte, float>(bytes))
                f = (float)((long)(Next(ref state) >> 11) * (1.0 / (1L << 53)) - 0.5) * 0.1f;
            return;
        }
        ushort exponent = dtype == DType.BF16 ? (ushort)0x3C00 : (ushort)0x2000;
        ushort mask = dtype == DType.BF16 ? (ushort)0x807F : (ushort)0x83FF;
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        ulong m = mask * 0x0001000100010001UL, e = exponent * 0x0001000100010001UL;
        foreach (ref var w in words)
            w = (Next(ref state) & m) | e;
    }

    private static ulong Next(ref ulong s)
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }

    /// <summary>A character vocabulary of <paramref name="size"/> tokens (the sample's tokenizer shape), so GGUF output has a tokenizer.</summary>
    private static void WriteCharTokenizer(string baseDir, int size)
    {
        var vocab = new Dictionary<string, int> { ["<unk>"] = 0, ["<s>"] = 1 };
        for (int i = 2; i < size; i++)
            vocab[((char)(0x4E00 + i)).ToString()] = i;
        File.WriteAllText(Path.Combine(baseDir, "vocab.json"), System.Text.Json.JsonSerializer.Serialize(vocab));
        File.WriteAllText(Path.Combine(baseDir, "tokenizer_config.json"), """
            {"tokenizer_type": "char", "vocab_file": "vocab.json", "bos_token": "<s>", "eos_token": "<s>", "unk_token": "<unk>", "add_bos_token": true}
            """);
    }
}
