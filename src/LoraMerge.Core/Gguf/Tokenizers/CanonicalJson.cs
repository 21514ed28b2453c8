using System.Text;
using System.Text.Json;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>
/// A JSON value written with object keys sorted and no whitespace, so two definitions compare as strings.
/// Keys that do not change token ids (offsets bookkeeping) are left out.
/// </summary>
internal static class CanonicalJson
{
    private static readonly HashSet<string> IgnoredKeys = new(StringComparer.Ordinal) { "trim_offsets" };

    public static string Of(JsonElement element)
    {
        var sb = new StringBuilder();
        Write(element, sb);
        return sb.ToString();
    }

    public static string Of(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Of(document.RootElement);
    }

    private static void Write(JsonElement element, StringBuilder sb)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                bool first = true;
                foreach (var property in element.EnumerateObject().Where(p => !IgnoredKeys.Contains(p.Name)).OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first)
                        sb.Append(',');
                    first = false;
                    sb.Append(Quote(property.Name)).Append(':');
                    Write(property.Value, sb);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                int i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (i++ > 0)
                        sb.Append(',');
                    Write(item, sb);
                }
                sb.Append(']');
                break;
            case JsonValueKind.String:
                sb.Append(Quote(element.GetString()!));
                break;
            default:
                sb.Append(element.GetRawText());
                break;
        }
    }

    private static string Quote(string s)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            writer.WriteStringValue(s);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
