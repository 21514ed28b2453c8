namespace LoraMerge.Gguf.Tests.Tokenizers;

/// <summary>Converted metadata by key, for assertions.</summary>
internal sealed class Metadata(IReadOnlyList<GgufMetadataEntry> entries)
{
    private readonly Dictionary<string, GgufValue> _values = entries.ToDictionary(e => e.Key, e => e.Value);

    public static Metadata Of(IReadOnlyList<GgufMetadataEntry> entries) => new(entries);

    public IReadOnlyList<string> Keys => entries.Select(e => e.Key).ToList();
    public bool Has(string key) => _values.ContainsKey(key);
    public string String(string key) => _values[key].AsString();
    public uint UInt(string key) => _values[key].AsUInt32();
    public bool Bool(string key) => _values[key].AsBool();
    public IReadOnlyList<string> Strings(string key) => _values[key].AsStrings();
    public IReadOnlyList<int> Ints(string key) => _values[key].AsInt32s();
    public IReadOnlyList<float> Floats(string key) => _values[key].AsFloat32s();
}
