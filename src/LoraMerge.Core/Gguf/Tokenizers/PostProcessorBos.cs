using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>
/// Which special tokens tokenizer.json's post_processor puts around a single text: the token before it (a BOS) and
/// the token after it (an EOS), by text, or null. Known shapes: none, ByteLevel, TemplateProcessing, and a Sequence of
/// those; any other post-processor is LORA1623.
/// </summary>
internal static class PostProcessorBos
{
    public static (string? Before, string? After) Read(JsonElement processor, string path)
    {
        if (processor.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            return (null, null);
        string? type = TokenizerJsonFile.String(processor, "type", path);
        switch (type)
        {
            case "ByteLevel":
                return (null, null);
            case "TemplateProcessing":
                return Template(processor, path);
            case "Sequence" when processor.TryGetProperty("processors", out var list) && list.ValueKind == JsonValueKind.Array:
                string? before = null, after = null;
                foreach (var inner in list.EnumerateArray())
                {
                    var (b, a) = Read(inner, path);
                    if ((b is not null && before is not null) || (a is not null && after is not null))
                        throw Unsupported(processor, path);
                    before ??= b;
                    after ??= a;
                }
                return (before, after);
            default:
                throw Unsupported(processor, path);
        }
    }

    private static (string?, string?) Template(JsonElement processor, string path)
    {
        if (!processor.TryGetProperty("single", out var single) || single.ValueKind != JsonValueKind.Array)
            throw Unsupported(processor, path);
        var items = single.EnumerateArray().ToList();
        int sequence = items.FindIndex(i => i.TryGetProperty("Sequence", out _));
        if (sequence < 0 || sequence > 1 || items.Count - sequence > 2)
            throw Unsupported(processor, path);
        string? SpecialAt(int index) =>
            items[index].TryGetProperty("SpecialToken", out var special) ? TokenizerJsonFile.String(special, "id", path) ?? throw Unsupported(processor, path)
                : throw Unsupported(processor, path);
        return (sequence == 1 ? SpecialAt(0) : null, items.Count - sequence == 2 ? SpecialAt(sequence + 1) : null);
    }

    private static LoraException Unsupported(JsonElement processor, string path) =>
        new(ErrorCodes.UnsupportedPostProcessor,
            $"tokenizer.json's post_processor {CanonicalJson.Of(processor)} is not one whose BOS/EOS LoraMerge can state for llama.cpp "
            + "(known: none, ByteLevel, TemplateProcessing with at most one special token before and one after the text, or a Sequence of those).", path);
}
