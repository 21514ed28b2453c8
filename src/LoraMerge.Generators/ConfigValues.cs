using System;
using System.Collections.Generic;
using System.Globalization;
using LoraMerge.Generators.Json;
using LoraMerge.Generators.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace LoraMerge.Generators;

/// <summary>
/// Turns config.json values into typed C# literals. Scalars and arrays of one scalar kind are kept; nulls, objects,
/// empty arrays, mixed arrays and non-finite numbers are skipped (documented in docs/generated-model.md).
/// </summary>
internal static class ConfigValues
{
    public static ConfigEntry? ToEntry(string key, JsonValue value)
    {
        if (value.Kind == JsonKind.Array) return ToArrayEntry(key, value);
        var scalar = ToScalar(value);
        return scalar is null ? null : new ConfigEntry(key, scalar.Value.Type, false, new EquatableArray<string>(new[] { scalar.Value.Literal }));
    }

    private static ConfigEntry? ToArrayEntry(string key, JsonValue value)
    {
        if (value.Items.Count == 0) return null;
        var scalars = new List<(string Type, string Literal, JsonValue Source)>();
        foreach (var item in value.Items)
        {
            var scalar = ToScalar(item);
            if (scalar is null) return null;
            scalars.Add((scalar.Value.Type, scalar.Value.Literal, item));
        }
        var type = scalars[0].Type;
        foreach (var s in scalars) type = Widen(type, s.Type);
        if (type.Length == 0) return null;

        var literals = new string[scalars.Count];
        for (var i = 0; i < literals.Length; i++)
        {
            // Re-render numbers in the array's common type (an int among longs or doubles).
            literals[i] = scalars[i].Type == type ? scalars[i].Literal : ToScalar(scalars[i].Source, type)!.Value.Literal;
        }
        return new ConfigEntry(key, type, true, new EquatableArray<string>(literals));
    }

    /// <summary>The common type of two scalar types, or "" when they cannot share an array.</summary>
    private static string Widen(string a, string b)
    {
        if (a == b) return a;
        if (IsNumeric(a) && IsNumeric(b))
        {
            if (a == "double" || b == "double") return "double";
            return "long";
        }
        return "";
    }

    private static bool IsNumeric(string type) => type is "int" or "long" or "double";

    private static (string Type, string Literal)? ToScalar(JsonValue value, string? forcedNumericType = null)
    {
        switch (value.Kind)
        {
            case JsonKind.String:
                return ("string", SymbolDisplay.FormatLiteral(value.Text!, quote: true));
            case JsonKind.True:
                return ("bool", "true");
            case JsonKind.False:
                return ("bool", "false");
            case JsonKind.Number:
                return ToNumber(value.Text!, forcedNumericType);
            default:
                return null;
        }
    }

    private static (string Type, string Literal)? ToNumber(string text, string? forcedType)
    {
        var isInteger = text.IndexOfAny(new[] { '.', 'e', 'E' }) < 0;
        if (isInteger && forcedType != "double" &&
            long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            if (forcedType != "long" && integer >= int.MinValue && integer <= int.MaxValue)
            {
                return ("int", integer.ToString(CultureInfo.InvariantCulture));
            }
            return ("long", integer.ToString(CultureInfo.InvariantCulture) + "L");
        }

        double number;
        try
        {
            number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            return null;
        }
        if (double.IsNaN(number) || double.IsInfinity(number)) return null;
        var literal = number.ToString("R", CultureInfo.InvariantCulture);
        if (literal.IndexOfAny(new[] { '.', 'E' }) < 0) literal += ".0";
        return ("double", literal);
    }
}
