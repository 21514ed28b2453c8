using System.Text.Json;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;

namespace LoraMerge.Models;

/// <summary>The parts of a Hugging Face config.json that LoraMerge uses, plus every scalar value in file order.</summary>
public sealed class ModelConfig
{
    private readonly Dictionary<string, ConfigValue> _byKey;

    private ModelConfig(string path, IReadOnlyList<ConfigEntry> entries, IReadOnlyList<string> architectures)
    {
        Path = path;
        Entries = entries;
        Architectures = architectures;
        _byKey = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        foreach (var entry in entries) _byKey[entry.Key] = entry.Value;
    }

    /// <summary>The config.json file this was read from.</summary>
    public string Path { get; }

    /// <summary><c>architectures</c>, empty when absent.</summary>
    public IReadOnlyList<string> Architectures { get; }

    /// <summary><c>model_type</c>.</summary>
    public string? ModelType => GetString("model_type");

    /// <summary>
    /// <c>tie_word_embeddings</c>. Absent means true: transformers only omits the key when the value equals the
    /// <c>PretrainedConfig</c> default (true) and the model class default.
    /// </summary>
    public bool TieWordEmbeddings => Get("tie_word_embeddings") is { Kind: ConfigValueKind.Boolean } v ? v.Boolean : true;

    /// <summary><c>dtype</c> (transformers v5) or else <c>torch_dtype</c>, e.g. <c>"bfloat16"</c>.</summary>
    public string? TorchDtype => GetString("dtype") ?? GetString("torch_dtype");

    /// <summary><c>_name_or_path</c>.</summary>
    public string? NameOrPath => GetString("_name_or_path");

    /// <summary>
    /// Every top-level key whose value is a string, number, bool or an array of those, in file order. Objects, nulls and
    /// arrays holding anything else are left out.
    /// </summary>
    public IReadOnlyList<ConfigEntry> Entries { get; }

    public ConfigValue? Get(string key) => _byKey.TryGetValue(key, out var value) ? value : null;

    public string? GetString(string key) => Get(key) is { Kind: ConfigValueKind.String } v ? v.Text : null;

    public static ModelConfig Read(string configPath)
    {
        if (!File.Exists(configPath))
            throw new LoraException(ErrorCodes.ModelConfig, "The model folder has no config.json.", configPath);

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(configPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LoraException(ErrorCodes.ModelConfig, $"config.json could not be read: {e.Message}", configPath, e);
        }
        return Parse(bytes, configPath);
    }

    public static ModelConfig Parse(ReadOnlySpan<byte> json, string configPath)
    {
        using (var document = JsonObjectDocument.Parse(json, configPath, ErrorCodes.ModelConfig, "config.json"))
        {
            var root = document.RootElement;

            var entries = new List<ConfigEntry>();
            var architectures = new List<string>();
            foreach (var property in root.EnumerateObject())
            {
                if (ConfigValueReader.TryRead(property.Value, out var value))
                    entries.Add(new ConfigEntry(property.Name, value));

                if (property.Name == "architectures" && property.Value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in property.Value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String)
                            throw new LoraException(ErrorCodes.ModelConfig, "config.json: \"architectures\" must be a list of strings.", configPath);
                        architectures.Add(item.GetString()!);
                    }
                }
            }
            return new ModelConfig(configPath, entries, architectures);
        }
    }
}
