namespace AppWithAdapters.Inference;

/// <summary>Picks the next token from logits: greedy when the temperature is 0, otherwise a draw from
/// softmax(logits / temperature) using a seeded <see cref="Random"/>, so a seed reproduces a generation.</summary>
public sealed class Sampler
{
    private readonly Random _random;
    private float[] _probabilities = [];

    public Sampler(float temperature, int seed)
    {
        if (temperature < 0 || float.IsNaN(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Temperature must be 0 or more.");
        }

        Temperature = temperature;
        _random = new Random(seed);
    }

    public float Temperature { get; }

    public int Next(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("No logits.", nameof(logits));
        }

        if (Temperature == 0)
        {
            return System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits);
        }

        if (_probabilities.Length != logits.Length)
        {
            _probabilities = new float[logits.Length];
        }

        float max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        double total = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            float p = MathF.Exp((logits[i] - max) / Temperature);
            _probabilities[i] = p;
            total += p;
        }

        double u = _random.NextDouble() * total;
        double cumulative = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            cumulative += _probabilities[i];
            if (u < cumulative)
            {
                return i;
            }
        }

        return logits.Length - 1;
    }
}
