using LoraMerge.Contracts;
using LoraMerge.Merging;

namespace LoraMerge.Requests;

/// <summary>The names of <see cref="OutputFormats"/>: the <c>Format</c> metadata, <c>--format</c> and the request file.</summary>
public static class OutputFormatNames
{
    public const string Accepted = "safetensors, gguf or safetensors;gguf";

    /// <summary>Parts separated by ';' (MSBuild's list separator) or ','; case-insensitive. Empty means safetensors.</summary>
    public static bool TryParse(string text, out OutputFormats formats)
    {
        formats = 0;
        foreach (var part in text.Split([';', ','], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (part.ToLowerInvariant())
            {
                case ManifestSchema.SafetensorsFormat:
                    formats |= OutputFormats.Safetensors;
                    break;
                case ManifestSchema.GgufFormat:
                    formats |= OutputFormats.Gguf;
                    break;
                default:
                    return false;
            }
        }
        if (formats == 0) formats = OutputFormats.Safetensors;
        return true;
    }

    /// <summary>Each format's name, safetensors first.</summary>
    public static IEnumerable<string> Names(OutputFormats formats)
    {
        if (formats.HasFlag(OutputFormats.Safetensors)) yield return ManifestSchema.SafetensorsFormat;
        if (formats.HasFlag(OutputFormats.Gguf)) yield return ManifestSchema.GgufFormat;
    }

    /// <summary>The canonical text: <c>safetensors</c>, <c>gguf</c> or <c>safetensors;gguf</c>.</summary>
    public static string Name(OutputFormats formats) => string.Join(";", Names(formats));
}
