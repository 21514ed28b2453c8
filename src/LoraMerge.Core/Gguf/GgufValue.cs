using System.Buffers.Binary;
using System.Text;

namespace LoraMerge.Gguf;

/// <summary>GGUF's value types, with their numbers on the wire.</summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

/// <summary>
/// One metadata value: a scalar, a string, or an array of one element type. Immutable; equal values write equal bytes.
/// </summary>
public sealed class GgufValue
{
    private readonly object _value;

    private GgufValue(GgufValueType type, object value, GgufValueType elementType = GgufValueType.UInt8)
    {
        Type = type;
        ElementType = elementType;
        _value = value;
    }

    public GgufValueType Type { get; }

    /// <summary>The element type of an <see cref="GgufValueType.Array"/>.</summary>
    public GgufValueType ElementType { get; }

    public static GgufValue Of(string value) => new(GgufValueType.String, value ?? throw new ArgumentNullException(nameof(value)));
    public static GgufValue Of(uint value) => new(GgufValueType.UInt32, value);
    public static GgufValue Of(int value) => new(GgufValueType.Int32, value);
    public static GgufValue Of(ulong value) => new(GgufValueType.UInt64, value);
    public static GgufValue Of(float value) => new(GgufValueType.Float32, value);
    public static GgufValue Of(bool value) => new(GgufValueType.Bool, value);
    public static GgufValue Of(IReadOnlyList<string> values) => new(GgufValueType.Array, values.ToArray(), GgufValueType.String);
    public static GgufValue Of(IReadOnlyList<int> values) => new(GgufValueType.Array, values.ToArray(), GgufValueType.Int32);
    public static GgufValue Of(IReadOnlyList<float> values) => new(GgufValueType.Array, values.ToArray(), GgufValueType.Float32);

    public string AsString() => (string)_value;
    public uint AsUInt32() => (uint)_value;
    public int AsInt32() => (int)_value;
    public ulong AsUInt64() => (ulong)_value;
    public float AsFloat32() => (float)_value;
    public bool AsBool() => (bool)_value;
    public IReadOnlyList<string> AsStrings() => (string[])_value;
    public IReadOnlyList<int> AsInt32s() => (int[])_value;
    public IReadOnlyList<float> AsFloat32s() => (float[])_value;

    /// <summary>Any value read from a file, as the reader found it (numbers of every width, nested arrays).</summary>
    internal static GgufValue Read(GgufValueType type, object value, GgufValueType elementType = GgufValueType.UInt8) => new(type, value, elementType);

    /// <summary>The value as read or given: a boxed scalar, a string, or an array (object[] for nested arrays).</summary>
    public object Raw => _value;

    /// <summary>Bytes this value takes after its type tag.</summary>
    internal long EncodedLength => Type switch
    {
        GgufValueType.String => StringLength((string)_value),
        GgufValueType.Array => 4 + 8 + ElementType switch
        {
            GgufValueType.String => ((string[])_value).Sum(StringLength),
            GgufValueType.Int32 => 4L * ((int[])_value).Length,
            GgufValueType.Float32 => 4L * ((float[])_value).Length,
            _ => throw new InvalidOperationException($"Arrays of {ElementType} are not written."),
        },
        GgufValueType.Bool => 1,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 => 8,
        _ => throw new InvalidOperationException($"Values of type {Type} are not written."),
    };

    internal static long StringLength(string s) => 8 + Encoding.UTF8.GetByteCount(s);

    /// <summary>Writes the value (without its type tag) into <paramref name="buffer"/>; returns the bytes written.</summary>
    internal int Encode(Span<byte> buffer)
    {
        switch (Type)
        {
            case GgufValueType.String:
                return EncodeString(buffer, (string)_value);
            case GgufValueType.Bool:
                buffer[0] = (bool)_value ? (byte)1 : (byte)0;
                return 1;
            case GgufValueType.UInt32:
                BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)_value);
                return 4;
            case GgufValueType.Int32:
                BinaryPrimitives.WriteInt32LittleEndian(buffer, (int)_value);
                return 4;
            case GgufValueType.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(buffer, (float)_value);
                return 4;
            case GgufValueType.UInt64:
                BinaryPrimitives.WriteUInt64LittleEndian(buffer, (ulong)_value);
                return 8;
            case GgufValueType.Array:
                BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)ElementType);
                int at = 12;
                switch (_value)
                {
                    case string[] strings:
                        BinaryPrimitives.WriteUInt64LittleEndian(buffer[4..], (ulong)strings.Length);
                        foreach (var s in strings)
                            at += EncodeString(buffer[at..], s);
                        return at;
                    case int[] ints:
                        BinaryPrimitives.WriteUInt64LittleEndian(buffer[4..], (ulong)ints.Length);
                        foreach (int v in ints)
                        {
                            BinaryPrimitives.WriteInt32LittleEndian(buffer[at..], v);
                            at += 4;
                        }
                        return at;
                    case float[] floats:
                        BinaryPrimitives.WriteUInt64LittleEndian(buffer[4..], (ulong)floats.Length);
                        foreach (float v in floats)
                        {
                            BinaryPrimitives.WriteSingleLittleEndian(buffer[at..], v);
                            at += 4;
                        }
                        return at;
                }
                break;
        }
        throw new InvalidOperationException($"Values of type {Type} are not written.");
    }

    internal static int EncodeString(Span<byte> buffer, string s)
    {
        int length = Encoding.UTF8.GetBytes(s, buffer[8..]);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, (ulong)length);
        return 8 + length;
    }

    public override string ToString() => Type switch
    {
        GgufValueType.String => $"\"{_value}\"",
        GgufValueType.Array => $"[{ElementType} × {((Array)_value).Length}]",
        _ => Convert.ToString(_value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}

/// <summary>One metadata key and its value.</summary>
public sealed record GgufMetadataEntry(string Key, GgufValue Value);
