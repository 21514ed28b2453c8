using LoraMerge.Models;

namespace LoraMerge.Merging;

/// <summary>
/// Which square weights are stored (in, out) like transformers' GPT-2 <c>Conv1D</c>. Non-square weights are told apart
/// by shape alone; a square one needs the architecture. PEFT decides by layer type, never by the adapter's config.
/// </summary>
internal static class WeightLayout
{
    private static readonly HashSet<string> Conv1DModelTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "gpt2", "openai-gpt", "imagegpt", "decision_transformer",
    };

    public static bool StoresConv1D(ModelConfig config, string moduleKey)
    {
        bool family = (config.ModelType is { } type && Conv1DModelTypes.Contains(type))
            || config.Architectures.Any(a => a.StartsWith("GPT2", StringComparison.Ordinal) || a.StartsWith("OpenAIGPT", StringComparison.Ordinal) || a.StartsWith("ImageGPT", StringComparison.Ordinal));
        // The LM head stays an nn.Linear even in GPT-2.
        return family && !moduleKey.EndsWith("lm_head", StringComparison.Ordinal);
    }
}
