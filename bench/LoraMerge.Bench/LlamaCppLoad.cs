using System.Diagnostics;
using LLama;
using LLama.Common;
using LLama.Native;

namespace LoraMerge.Bench;

/// <summary>Loads a GGUF in llama.cpp (LLamaSharp, CPU) and decodes a few tokens: the file is one a real engine runs.</summary>
internal static class LlamaCppLoad
{
    public static int Run(BenchArgs args)
    {
        NativeLogConfig.llama_log_set((_, _) => { });
        var parameters = new ModelParams(args.Get("gguf")) { ContextSize = 64, GpuLayerCount = 0 };
        var clock = Stopwatch.StartNew();
        using var weights = LLamaWeights.LoadFromFile(parameters);
        double load = clock.Elapsed.TotalSeconds;
        using var context = weights.CreateContext(parameters);
        // Token ids rather than text: the synthetic model's vocabulary is characters that llama.cpp's tokenizer cannot
        // fall back from (docs/gguf.md, the character vocabulary's limits).
        int[] ids = [weights.Vocab.BOS is { } bos ? (int)bos : 0, 100, 200, 300, 400];
        var batch = new LLamaBatch();
        for (int i = 0; i < ids.Length; i++)
            batch.Add((LLamaToken)ids[i], i, LLamaSeqId.Zero, i == ids.Length - 1);
        var result = context.NativeHandle.Decode(batch);
        var logits = context.NativeHandle.GetLogitsIth(batch.TokenCount - 1).ToArray();
        bool finite = logits.All(float.IsFinite);
        Console.WriteLine($"llama_load_seconds={load:F3} parameters={weights.ParameterCount} vocab={weights.Vocab.Count} decode={result} logits_finite={finite}");
        return result == DecodeResult.Ok && finite ? 0 : 1;
    }
}
