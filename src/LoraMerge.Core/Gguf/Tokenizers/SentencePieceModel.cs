using System.Buffers.Binary;
using System.Text;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>One piece of a SentencePiece model; its type uses SentencePiece's numbers, which are llama.cpp's.</summary>
internal sealed record SentencePiece(string Text, float Score, GgufTokenType Type);

/// <summary>
/// The fields of a SentencePiece <c>tokenizer.model</c> (a protobuf ModelProto) that llama.cpp needs: the pieces
/// (field 1: piece 1, score 2, type 3), trainer_spec.model_type (2.3) and normalizer_spec.add_dummy_prefix (3.3).
/// Unknown fields are skipped, as protobuf readers do.
/// </summary>
internal sealed class SentencePieceModel
{
    public const int ModelTypeUnigram = 1;
    public const int ModelTypeBpe = 2;

    public required List<SentencePiece> Pieces { get; init; }
    public int ModelType { get; init; } = ModelTypeUnigram; // protobuf default
    public bool AddDummyPrefix { get; init; } = true; // protobuf default

    public static SentencePieceModel Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"tokenizer.model cannot be read: {e.Message}", path, e);
        }
        try
        {
            return Parse(bytes);
        }
        catch (FormatException e)
        {
            throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"tokenizer.model is not a SentencePiece model: {e.Message}", path, e);
        }
    }

    public static SentencePieceModel Parse(ReadOnlySpan<byte> data)
    {
        var pieces = new List<SentencePiece>();
        int modelType = ModelTypeUnigram;
        bool addDummyPrefix = true;
        var reader = new ProtoReader(data);
        while (reader.Next(out int field, out int wire))
        {
            if (field == 1 && wire == ProtoReader.Len)
                pieces.Add(ParsePiece(reader.Bytes()));
            else if (field == 2 && wire == ProtoReader.Len)
                modelType = (int)ScalarField(reader.Bytes(), 3).GetValueOrDefault(ModelTypeUnigram);
            else if (field == 3 && wire == ProtoReader.Len)
                addDummyPrefix = ScalarField(reader.Bytes(), 3).GetValueOrDefault(1) != 0;
            else
                reader.Skip(wire);
        }
        if (pieces.Count == 0)
            throw new FormatException("it has no pieces");
        return new SentencePieceModel { Pieces = pieces, ModelType = modelType, AddDummyPrefix = addDummyPrefix };
    }

    private static SentencePiece ParsePiece(ReadOnlySpan<byte> data)
    {
        string? text = null;
        float score = 0;
        int type = 1;
        var reader = new ProtoReader(data);
        while (reader.Next(out int field, out int wire))
        {
            if (field == 1 && wire == ProtoReader.Len)
                text = Encoding.UTF8.GetString(reader.Bytes());
            else if (field == 2 && wire == ProtoReader.Fixed32)
                score = BinaryPrimitives.ReadSingleLittleEndian(reader.Fixed32Bytes());
            else if (field == 3 && wire == ProtoReader.Varint)
                type = (int)reader.ReadVarint();
            else
                reader.Skip(wire);
        }
        if (text is null)
            throw new FormatException("a piece has no text");
        if (type is < 1 or > 6)
            throw new FormatException($"the piece \"{text}\" has type {type}");
        return new SentencePiece(text, score, (GgufTokenType)type);
    }

    /// <summary>The value of varint field <paramref name="number"/> of a message, if present.</summary>
    private static ulong? ScalarField(ReadOnlySpan<byte> data, int number)
    {
        ulong? value = null;
        var reader = new ProtoReader(data);
        while (reader.Next(out int field, out int wire))
        {
            if (field == number && wire == ProtoReader.Varint)
                value = reader.ReadVarint();
            else
                reader.Skip(wire);
        }
        return value;
    }

    /// <summary>Protobuf wire format: keys, varints, length-delimited and fixed fields.</summary>
    private ref struct ProtoReader(ReadOnlySpan<byte> data)
    {
        public const int Varint = 0, Fixed64 = 1, Len = 2, Fixed32 = 5;
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public bool Next(out int field, out int wire)
        {
            field = wire = 0;
            if (_at >= _data.Length)
                return false;
            ulong key = ReadVarint();
            field = (int)(key >> 3);
            wire = (int)(key & 7);
            return true;
        }

        public ulong ReadVarint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_at >= _data.Length)
                    throw new FormatException("a varint runs past the end");
                byte b = _data[_at++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                    return value;
            }
            throw new FormatException("a varint is too long");
        }

        public ReadOnlySpan<byte> Bytes()
        {
            ulong length = ReadVarint();
            if (length > (ulong)(_data.Length - _at))
                throw new FormatException("a field runs past the end");
            var bytes = _data.Slice(_at, (int)length);
            _at += (int)length;
            return bytes;
        }

        public ReadOnlySpan<byte> Fixed32Bytes() => Take(4);

        public void Skip(int wire)
        {
            switch (wire)
            {
                case Varint: ReadVarint(); break;
                case Fixed64: Take(8); break;
                case Len: Bytes(); break;
                case Fixed32: Take(4); break;
                default: throw new FormatException($"wire type {wire} is not known");
            }
        }

        private ReadOnlySpan<byte> Take(int n)
        {
            if (_data.Length - _at < n)
                throw new FormatException("a field runs past the end");
            var bytes = _data.Slice(_at, n);
            _at += n;
            return bytes;
        }
    }
}
