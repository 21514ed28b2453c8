using AppWithAdapters.Inference;

namespace LoraMerge.Sample.Tests;

/// <summary>The committed tiny Llama opened for a test, optionally with the BOFH adapter applied at run time.</summary>
internal sealed class SampleModel : IDisposable
{
    private readonly SafetensorsWeights _weights;
    private readonly RuntimeLora? _lora;

    private SampleModel(bool withLora)
    {
        Config = LlamaConfig.FromJson(File.ReadAllText(Path.Combine(SamplePaths.ModelDir, "config.json")));
        Tokenizer = CharTokenizer.FromFile(Path.Combine(SamplePaths.ModelDir, "vocab.json"));
        _weights = new SafetensorsWeights(Path.Combine(SamplePaths.ModelDir, "model.safetensors"));
        _lora = withLora ? new RuntimeLora(SamplePaths.AdapterDir) : null;
        Model = new LlamaModel(Config, _weights, _lora);
    }

    public LlamaConfig Config { get; }

    public CharTokenizer Tokenizer { get; }

    public LlamaModel Model { get; }

    public RuntimeLora? Lora => _lora;

    public static SampleModel Base() => new(withLora: false);

    public static SampleModel WithRuntimeLora() => new(withLora: true);

    /// <summary>Mean next-token loss over non-overlapping windows of window+1 ids, as export_reference.py computes it.</summary>
    public double WindowedLoss(int[] ids, int window)
    {
        double total = 0;
        int count = 0;
        for (int start = 0; start + window + 1 <= ids.Length; start += window)
        {
            total += Model.MeanNextTokenLoss(ids.AsSpan(start, window + 1)) * window;
            count += window;
        }

        return total / count;
    }

    public void Dispose()
    {
        _lora?.Dispose();
        _weights.Dispose();
    }
}
