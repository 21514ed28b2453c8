using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace LoraMerge.Generators.Json;

/// <summary>Thrown by <see cref="JsonReader"/> with the character position of the problem.</summary>
internal sealed class JsonReaderException : Exception
{
    public JsonReaderException(string message, int position)
        : base(message) => Position = position;

    public int Position { get; }
}

/// <summary>
/// A small strict RFC 8259 reader (the generator must not depend on System.Text.Json). It keeps spans for locations and
/// number texts unparsed so integers and floats can be told apart.
/// </summary>
internal sealed class JsonReader
{
    private const int MaxDepth = 64;
    private readonly string _text;
    private int _pos;

    private JsonReader(string text) => _text = text;

    public static JsonValue Parse(string text)
    {
        var reader = new JsonReader(text);
        reader.SkipWhitespace();
        // A UTF-8 byte order mark arrives as U+FEFF when the file was decoded without stripping it.
        if (reader._pos < text.Length && text[reader._pos] == '\uFEFF')
        {
            reader._pos++;
            reader.SkipWhitespace();
        }
        var value = reader.ReadValue(0);
        reader.SkipWhitespace();
        if (reader._pos != text.Length) throw new JsonReaderException("unexpected text after the JSON value", reader._pos);
        return value;
    }

    private JsonValue ReadValue(int depth)
    {
        if (depth > MaxDepth) throw new JsonReaderException("JSON nested too deeply", _pos);
        if (_pos >= _text.Length) throw new JsonReaderException("unexpected end of JSON", _pos);
        var c = _text[_pos];
        switch (c)
        {
            case '{': return ReadObject(depth);
            case '[': return ReadArray(depth);
            case '"':
                {
                    var start = _pos;
                    var s = ReadString();
                    return new JsonValue(JsonKind.String, start, _pos - start, s);
                }
            case 't': return ReadLiteral("true", JsonKind.True);
            case 'f': return ReadLiteral("false", JsonKind.False);
            case 'n': return ReadLiteral("null", JsonKind.Null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                throw new JsonReaderException($"unexpected character '{c}'", _pos);
        }
    }

    private JsonValue ReadObject(int depth)
    {
        var start = _pos++;
        var properties = new List<JsonProperty>();
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
            return new JsonValue(JsonKind.Object, start, _pos - start, properties: properties);
        }
        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"') throw new JsonReaderException("expected a property name in double quotes", _pos);
            var nameStart = _pos;
            var name = ReadString();
            var nameLength = _pos - nameStart;
            SkipWhitespace();
            Expect(':');
            SkipWhitespace();
            var value = ReadValue(depth + 1);
            properties.Add(new JsonProperty(name, nameStart, nameLength, value));
            SkipWhitespace();
            var next = Peek();
            _pos++;
            if (next == '}') break;
            if (next != ',') throw new JsonReaderException("expected ',' or '}' in object", _pos - 1);
        }
        return new JsonValue(JsonKind.Object, start, _pos - start, properties: properties);
    }

    private JsonValue ReadArray(int depth)
    {
        var start = _pos++;
        var items = new List<JsonValue>();
        SkipWhitespace();
        if (Peek() == ']')
        {
            _pos++;
            return new JsonValue(JsonKind.Array, start, _pos - start, items: items);
        }
        while (true)
        {
            SkipWhitespace();
            items.Add(ReadValue(depth + 1));
            SkipWhitespace();
            var next = Peek();
            _pos++;
            if (next == ']') break;
            if (next != ',') throw new JsonReaderException("expected ',' or ']' in array", _pos - 1);
        }
        return new JsonValue(JsonKind.Array, start, _pos - start, items: items);
    }

    private string ReadString()
    {
        Expect('"');
        var builder = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) throw new JsonReaderException("unterminated string", _pos);
            var c = _text[_pos++];
            if (c == '"') return builder.ToString();
            if (c < ' ') throw new JsonReaderException("control character in string", _pos - 1);
            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }
            if (_pos >= _text.Length) throw new JsonReaderException("unterminated string", _pos);
            var escape = _text[_pos++];
            switch (escape)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > _text.Length ||
                        !int.TryParse(_text.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw new JsonReaderException("invalid \\u escape", _pos - 2);
                    }
                    builder.Append((char)code);
                    _pos += 4;
                    break;
                default:
                    throw new JsonReaderException($"invalid escape '\\{escape}'", _pos - 2);
            }
        }
    }

    private JsonValue ReadNumber()
    {
        var start = _pos;
        if (Peek() == '-') _pos++;
        if (Peek() == '0')
        {
            _pos++;
        }
        else if (IsDigit(Peek()))
        {
            while (IsDigit(Peek())) _pos++;
        }
        else
        {
            throw new JsonReaderException("invalid number", start);
        }
        if (Peek() == '.')
        {
            _pos++;
            if (!IsDigit(Peek())) throw new JsonReaderException("invalid number", start);
            while (IsDigit(Peek())) _pos++;
        }
        if (Peek() is 'e' or 'E')
        {
            _pos++;
            if (Peek() is '+' or '-') _pos++;
            if (!IsDigit(Peek())) throw new JsonReaderException("invalid number", start);
            while (IsDigit(Peek())) _pos++;
        }
        return new JsonValue(JsonKind.Number, start, _pos - start, _text.Substring(start, _pos - start));
    }

    private JsonValue ReadLiteral(string literal, JsonKind kind)
    {
        if (string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) != 0)
        {
            throw new JsonReaderException("invalid literal", _pos);
        }
        var start = _pos;
        _pos += literal.Length;
        return new JsonValue(kind, start, literal.Length);
    }

    private void Expect(char c)
    {
        if (Peek() != c) throw new JsonReaderException($"expected '{c}'", _pos);
        _pos++;
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private void SkipWhitespace()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\r' or '\n') _pos++;
    }
}
