using System.Collections.Generic;

namespace LoraMerge.Generators.Json;

internal enum JsonKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>A parsed JSON value with its character span in the source text (for diagnostics).</summary>
internal sealed class JsonValue
{
    public JsonValue(JsonKind kind, int start, int length, string? text = null,
        List<JsonProperty>? properties = null, List<JsonValue>? items = null)
    {
        Kind = kind;
        Start = start;
        Length = length;
        Text = text;
        Properties = properties ?? new List<JsonProperty>();
        Items = items ?? new List<JsonValue>();
    }

    public JsonKind Kind { get; }

    public int Start { get; }

    public int Length { get; }

    /// <summary>The unescaped string for strings; the raw number text for numbers.</summary>
    public string? Text { get; }

    /// <summary>Object members in source order.</summary>
    public List<JsonProperty> Properties { get; }

    public List<JsonValue> Items { get; }

    public JsonProperty? Find(string name)
    {
        foreach (var property in Properties)
        {
            if (property.Name == name) return property;
        }
        return null;
    }
}

internal sealed class JsonProperty
{
    public JsonProperty(string name, int nameStart, int nameLength, JsonValue value)
    {
        Name = name;
        NameStart = nameStart;
        NameLength = nameLength;
        Value = value;
    }

    public string Name { get; }

    public int NameStart { get; }

    public int NameLength { get; }

    public JsonValue Value { get; }
}
