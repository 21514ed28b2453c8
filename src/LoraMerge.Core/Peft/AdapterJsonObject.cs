using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Peft;

/// <summary>Typed reads of adapter_config.json fields; a wrong type is an <see cref="ErrorCodes.InvalidAdapterValue"/> naming the field.</summary>
internal readonly struct AdapterJsonObject(JsonElement root, string path)
{
    public string Path => path;

    /// <summary>The field's value, or null when it is absent or JSON null.</summary>
    public JsonElement? Field(string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public bool Has(string name) => Field(name) is not null;

    public LoraException Invalid(string name, string expectation) =>
        new(ErrorCodes.InvalidAdapterValue, $"adapter_config.json: \"{name}\" {expectation}.", path);

    public string? String(string name)
    {
        if (Field(name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.String) throw Invalid(name, "must be a string");
        return value.GetString();
    }

    public bool Bool(string name, bool defaultValue)
    {
        if (Field(name) is not { } value) return defaultValue;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid(name, "must be true or false"),
        };
    }

    public int Int(string name, int defaultValue) => Field(name) is { } value ? ToInt(value, name) : defaultValue;

    public double Number(string name, double defaultValue) => Field(name) is { } value ? ToNumber(value, name) : defaultValue;

    public int ToInt(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int result))
            throw Invalid(name, $"must be an integer, not {value.GetRawText()}");
        return result;
    }

    public double ToNumber(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double result) || !double.IsFinite(result))
            throw Invalid(name, $"must be a number, not {value.GetRawText()}");
        return result;
    }

    public List<string> StringList(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Array) throw Invalid(name, "must be a string or a list of strings");
        var result = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw Invalid(name, "must be a list of strings");
            result.Add(item.GetString()!);
        }
        return result;
    }

    public List<int> IntList(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Array) throw Invalid(name, "must be a list of integers");
        var result = new List<int>();
        foreach (var item in value.EnumerateArray()) result.Add(ToInt(item, name));
        return result;
    }

    /// <summary>True when the field is present and not null, false, an empty list or an empty string.</summary>
    public bool IsSet(string name) => Field(name) is { } value && value.ValueKind switch
    {
        JsonValueKind.False => false,
        JsonValueKind.Array => value.GetArrayLength() > 0,
        JsonValueKind.String => value.GetString()!.Length > 0,
        _ => true,
    };
}
