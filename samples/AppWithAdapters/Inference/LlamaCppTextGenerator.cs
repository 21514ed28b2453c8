using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace AppWithAdapters.Inference;

/// <summary>
/// The same generation as <see cref="TextGenerator"/>, run by llama.cpp (through LLamaSharp) from the merged model's
/// GGUF: llama.cpp's own tokenizer reads the prompt (with the beginning-of-document token the GGUF asks for), llama.cpp
/// computes the logits, and the same <see cref="Sampler"/> picks each token until the end-of-document token.
/// </summary>
public sealed class LlamaCppTextGenerator : IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly ModelParams _parameters;

    public LlamaCppTextGenerator(string ggufPath)
    {
        // f32 attention cache and no flash attention (whose CPU path works in f16): the model is tiny, and both would
        // round every key and value.
        _parameters = new ModelParams(ggufPath) { GpuLayerCount = 0, TypeK = GGMLType.GGML_TYPE_F32, TypeV = GGMLType.GGML_TYPE_F32, FlashAttention = false };
        _weights = LLamaWeights.LoadFromFile(_parameters);
        _parameters.ContextSize = (uint)_weights.ContextSize;
        _parameters.BatchSize = (uint)_weights.ContextSize;
    }

    /// <summary>Token ids of <paramref name="prompt"/> by the GGUF's tokenizer, beginning-of-document token first.</summary>
    public int[] Tokenize(string prompt) => _weights.Tokenize(prompt, add_bos: true, special: false, Encoding.UTF8).Select(t => (int)t).ToArray();

    /// <summary>Logits after feeding <paramref name="ids"/> from an empty context.</summary>
    public float[] LastLogits(IReadOnlyList<int> ids)
    {
        using var context = _weights.CreateContext(_parameters);
        var batch = new LLamaBatch();
        for (int i = 0; i < ids.Count; i++)
            batch.Add((LLamaToken)ids[i], i, LLamaSeqId.Zero, i == ids.Count - 1);
        Decode(context, batch);
        return context.NativeHandle.GetLogitsIth(batch.TokenCount - 1).ToArray();
    }

    public string Generate(string prompt, int maxNewTokens, Sampler sampler)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        using var context = _weights.CreateContext(_parameters);
        int[] ids = Tokenize(prompt);
        int contextSize = (int)context.ContextSize;
        if (ids.Length > contextSize)
            return prompt;
        var batch = new LLamaBatch();
        for (int i = 0; i < ids.Length; i++)
            batch.Add((LLamaToken)ids[i], i, LLamaSeqId.Zero, i == ids.Length - 1);
        Decode(context, batch);
        int position = ids.Length;

        var end = _weights.Vocab.EOS;
        var decoder = new StreamingTokenDecoder(Encoding.UTF8, _weights);
        int generated = 0;
        while (generated < maxNewTokens && position < contextSize)
        {
            int next = sampler.Next(context.NativeHandle.GetLogitsIth(batch.TokenCount - 1));
            if (next == end)
                break;
            decoder.Add(next);
            generated++;
            batch.Clear();
            batch.Add((LLamaToken)next, position++, LLamaSeqId.Zero, true);
            Decode(context, batch);
        }
        return prompt + decoder.Read();
    }

    private static void Decode(LLamaContext context, LLamaBatch batch)
    {
        var result = context.NativeHandle.Decode(batch);
        if (result != DecodeResult.Ok)
            throw new InvalidOperationException($"llama.cpp could not decode the batch: {result}.");
    }

    public void Dispose() => _weights.Dispose();
}
