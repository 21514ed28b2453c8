using System.Numerics.Tensors;

namespace AppWithAdapters.Inference;

/// <summary>A Llama causal LM (LlamaForCausalLM semantics: RMSNorm, RoPE, grouped-query attention, SwiGLU MLP,
/// untied lm_head, no biases) evaluated in f32 one token at a time. Weights come from <see cref="IWeights"/>, so
/// the class does not care how they were loaded.</summary>
public sealed class LlamaModel
{
    private readonly IWeights _weights;
    private readonly ILinearAdapter? _adapter;
    private readonly LayerNames[] _layers;

    public LlamaModel(LlamaConfig config, IWeights weights, ILinearAdapter? adapter = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(weights);
        if (config.NumHeads % config.NumKvHeads != 0)
        {
            throw new ArgumentException("num_attention_heads must be a multiple of num_key_value_heads.", nameof(config));
        }

        Config = config;
        _weights = weights;
        _adapter = adapter;
        Rotary = new RotaryTable(config.HeadDim, config.MaxPositions, config.RopeTheta);
        _layers = new LayerNames[config.NumLayers];
        for (int i = 0; i < _layers.Length; i++)
        {
            _layers[i] = new LayerNames(i);
        }
    }

    public LlamaConfig Config { get; }

    internal RotaryTable Rotary { get; }

    internal IReadOnlyList<LayerNames> Layers => _layers;

    /// <summary>Starts an empty KV cache; feed it tokens one by one.</summary>
    public LlamaSession CreateSession() => new(this);

    /// <summary>Logits at the last position of <paramref name="tokens"/>.</summary>
    public float[] LastLogits(ReadOnlySpan<int> tokens)
    {
        if (tokens.IsEmpty)
        {
            throw new ArgumentException("At least one token is needed.", nameof(tokens));
        }

        var session = CreateSession();
        ReadOnlySpan<float> logits = default;
        foreach (int t in tokens)
        {
            logits = session.Append(t);
        }

        return logits.ToArray();
    }

    /// <summary>Mean next-token cross-entropy (nats per token) of <paramref name="tokens"/> given its first token.</summary>
    public double MeanNextTokenLoss(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length < 2)
        {
            throw new ArgumentException("At least two tokens are needed.", nameof(tokens));
        }

        var session = CreateSession();
        double total = 0;
        for (int i = 0; i < tokens.Length - 1; i++)
        {
            var logits = session.Append(tokens[i]);
            float max = TensorPrimitives.Max(logits);
            double sumExp = 0;
            foreach (float l in logits)
            {
                sumExp += Math.Exp(l - max);
            }

            total += max + Math.Log(sumExp) - logits[tokens[i + 1]];
        }

        return total / (tokens.Length - 1);
    }

    internal ReadOnlySpan<float> Weight(string name) => _weights.Get(name);

    /// <summary>output = input · Wᵀ (+ adapter delta); W is (output.Length, input.Length) row-major.</summary>
    internal void Linear(LinearName name, ReadOnlySpan<float> input, Span<float> output)
    {
        var w = _weights.Get(name.Weight);
        int inSize = input.Length;
        if (w.Length != inSize * output.Length)
        {
            throw new InvalidOperationException(
                $"{name.Weight} has {w.Length} values, expected {output.Length} x {inSize}.");
        }

        for (int o = 0; o < output.Length; o++)
        {
            output[o] = TensorPrimitives.Dot(w.Slice(o * inSize, inSize), input);
        }

        _adapter?.AddDelta(name.Module, input, output);
    }

    /// <summary>output = x · rsqrt(mean(x²) + eps) · weight.</summary>
    internal void RmsNorm(string weightName, ReadOnlySpan<float> x, Span<float> output)
    {
        float meanSquare = TensorPrimitives.SumOfSquares(x) / x.Length;
        float inv = 1f / MathF.Sqrt(meanSquare + Config.RmsNormEps);
        TensorPrimitives.Multiply(x, inv, output);
        TensorPrimitives.Multiply(output, _weights.Get(weightName), output);
    }

    /// <summary>Precomputed tensor and module names of one decoder layer.</summary>
    internal sealed class LayerNames
    {
        public LayerNames(int index)
        {
            string p = $"model.layers.{index}.";
            InputNorm = p + "input_layernorm.weight";
            PostAttentionNorm = p + "post_attention_layernorm.weight";
            Q = new LinearName(p + "self_attn.q_proj");
            K = new LinearName(p + "self_attn.k_proj");
            V = new LinearName(p + "self_attn.v_proj");
            O = new LinearName(p + "self_attn.o_proj");
            Gate = new LinearName(p + "mlp.gate_proj");
            Up = new LinearName(p + "mlp.up_proj");
            Down = new LinearName(p + "mlp.down_proj");
        }

        public string InputNorm { get; }
        public string PostAttentionNorm { get; }
        public LinearName Q { get; }
        public LinearName K { get; }
        public LinearName V { get; }
        public LinearName O { get; }
        public LinearName Gate { get; }
        public LinearName Up { get; }
        public LinearName Down { get; }
    }
}

/// <summary>A linear module's name and the name of its weight tensor.</summary>
internal sealed class LinearName(string module)
{
    public string Module { get; } = module;

    public string Weight { get; } = module + ".weight";
}
