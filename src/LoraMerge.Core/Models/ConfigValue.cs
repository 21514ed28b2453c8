namespace LoraMerge.Models;

public enum ConfigValueKind
{
    String,
    Integer,
    Float,
    Boolean,
    Array,
}

/// <summary>
/// One scalar or array-of-scalars value of config.json, without any JSON types, so the manifest writer and the
/// generator can carry it through unchanged.
/// </summary>
public sealed class ConfigValue
{
    private ConfigValue(ConfigValueKind kind, string? text, long integer, double number, bool boolean, IReadOnlyList<ConfigValue>? items)
    {
        Kind = kind;
        Text = text;
        Integer = integer;
        Float = number;
        Boolean = boolean;
        Items = items ?? [];
    }

    public ConfigValueKind Kind { get; }

    /// <summary>For <see cref="ConfigValueKind.String"/>: the string. For numbers: the number exactly as written in the JSON.</summary>
    public string? Text { get; }

    /// <summary>For <see cref="ConfigValueKind.Integer"/>.</summary>
    public long Integer { get; }

    /// <summary>For <see cref="ConfigValueKind.Float"/> (and the same value as a double for integers).</summary>
    public double Float { get; }

    /// <summary>For <see cref="ConfigValueKind.Boolean"/>.</summary>
    public bool Boolean { get; }

    /// <summary>For <see cref="ConfigValueKind.Array"/>: the elements, each a scalar.</summary>
    public IReadOnlyList<ConfigValue> Items { get; }

    public static ConfigValue FromString(string value) => new(ConfigValueKind.String, value, 0, 0, false, null);

    public static ConfigValue FromInteger(long value, string jsonText) => new(ConfigValueKind.Integer, jsonText, value, value, false, null);

    public static ConfigValue FromFloat(double value, string jsonText) => new(ConfigValueKind.Float, jsonText, 0, value, false, null);

    public static ConfigValue FromBoolean(bool value) => new(ConfigValueKind.Boolean, null, 0, 0, value, null);

    public static ConfigValue FromArray(IReadOnlyList<ConfigValue> items)
    {
        foreach (var item in items)
        {
            if (item.Kind == ConfigValueKind.Array)
                throw new ArgumentException("Config arrays hold scalars only.", nameof(items));
        }
        return new(ConfigValueKind.Array, null, 0, 0, false, items);
    }

    public override string ToString() => Kind switch
    {
        ConfigValueKind.String => Text!,
        ConfigValueKind.Integer or ConfigValueKind.Float => Text!,
        ConfigValueKind.Boolean => Boolean ? "true" : "false",
        _ => "[" + string.Join(", ", Items) + "]",
    };
}
