using LoraMerge.Merging;

namespace LoraMerge.Tasks.Items;

/// <summary>The <c>Format</c> metadata: <c>safetensors</c>, <c>gguf</c> or both (<c>safetensors;gguf</c>), as <see cref="OutputFormats"/>.</summary>
internal static class OutputFormatMetadata
{
    public const string Accepted = "safetensors, gguf or safetensors;gguf";

    /// <summary>Empty means the default, safetensors. Parts are separated by ';' (MSBuild's list separator) or ','.</summary>
    public static bool TryParse(string text, out OutputFormats formats)
    {
        formats = 0;
        foreach (var part in text.Split([';', ','], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (part.ToLowerInvariant())
            {
                case "safetensors":
                    formats |= OutputFormats.Safetensors;
                    break;
                case "gguf":
                    formats |= OutputFormats.Gguf;
                    break;
                default:
                    return false;
            }
        }
        if (formats == 0) formats = OutputFormats.Safetensors;
        return true;
    }

    /// <summary>The canonical text: <c>safetensors</c>, <c>gguf</c> or <c>safetensors;gguf</c>.</summary>
    public static string Name(OutputFormats formats) => formats switch
    {
        OutputFormats.Safetensors => "safetensors",
        OutputFormats.Gguf => "gguf",
        _ => "safetensors;gguf",
    };
}
