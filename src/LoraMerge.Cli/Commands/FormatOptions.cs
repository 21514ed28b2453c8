using LoraMerge.Diagnostics;
using LoraMerge.Gguf;
using LoraMerge.Merging;

namespace LoraMerge.Cli.Commands;

/// <summary>The text of <c>--format</c> and <c>--gguf-type</c>, turned into options or a coded error.</summary>
internal static class FormatOptions
{
    public static OutputFormats Parse(string text)
    {
        OutputFormats formats = 0;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            formats |= part.ToLowerInvariant() switch
            {
                "safetensors" => OutputFormats.Safetensors,
                "gguf" => OutputFormats.Gguf,
                _ => throw new LoraException(ErrorCodes.InvalidMergeOptions, $"--format: '{part}' is not safetensors or gguf."),
            };
        }
        return formats != 0 ? formats : throw new LoraException(ErrorCodes.InvalidMergeOptions, "--format names no format.");
    }

    public static GgufTensorType ParseGgufType(string text) =>
        GgufTensorTypes.TryParse(text, out var type)
            ? type
            : throw new LoraException(ErrorCodes.InvalidGgufType, $"--gguf-type: '{text}' is not one of {string.Join(", ", GgufTensorTypes.Names)}.");
}
