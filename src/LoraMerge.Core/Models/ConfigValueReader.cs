using System.Globalization;
using System.Text.Json;

namespace LoraMerge.Models;

/// <summary>Turns a JSON element into a <see cref="ConfigValue"/> when it is a scalar or an array of scalars.</summary>
internal static class ConfigValueReader
{
    public static bool TryRead(JsonElement element, out ConfigValue value)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var items = new List<ConfigValue>();
            foreach (var item in element.EnumerateArray())
            {
                if (!TryReadScalar(item, out var scalar))
                {
                    value = null!;
                    return false;
                }
                items.Add(scalar);
            }
            value = ConfigValue.FromArray(items);
            return true;
        }
        return TryReadScalar(element, out value);
    }

    private static bool TryReadScalar(JsonElement element, out ConfigValue value)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                value = ConfigValue.FromString(element.GetString()!);
                return true;
            case JsonValueKind.True:
            case JsonValueKind.False:
                value = ConfigValue.FromBoolean(element.GetBoolean());
                return true;
            case JsonValueKind.Number:
                return TryReadNumber(element, out value);
            default:
                value = null!;
                return false;
        }
    }

    // A number written without '.', 'e' or 'E' that fits a long is an integer (Python wrote an int); anything else is a float.
    // Numbers beyond double's range are left out.
    private static bool TryReadNumber(JsonElement element, out ConfigValue value)
    {
        string text = element.GetRawText();
        bool looksIntegral = text.IndexOfAny(['.', 'e', 'E']) < 0;
        if (looksIntegral && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
        {
            value = ConfigValue.FromInteger(integer, text);
            return true;
        }
        if (element.TryGetDouble(out double number) && double.IsFinite(number))
        {
            value = ConfigValue.FromFloat(number, text);
            return true;
        }
        value = null!;
        return false;
    }
}
