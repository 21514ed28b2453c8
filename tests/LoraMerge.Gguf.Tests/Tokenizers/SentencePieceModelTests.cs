using System.Text;
using LoraMerge.Diagnostics;
using LoraMerge.Gguf.Tokenizers;

namespace LoraMerge.Gguf.Tests.Tokenizers;

/// <summary>tokenizer.model (SentencePiece ModelProto) read from bytes built here field by field.</summary>
public sealed class SentencePieceModelTests
{
    [Fact]
    public void Pieces_scores_types_and_the_dummy_prefix_are_read()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(Path.Combine(folder.Path, "tokenizer.model"), Model(modelType: 2, addDummyPrefix: false));
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer_config.json"), """{"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}""");

        var m = Metadata.Of(GgufTokenizerConverter.Convert(folder.Path, 6));

        Assert.Equal("llama", m.String("tokenizer.ggml.model"));
        Assert.Equal(["<unk>", "<s>", "</s>", "<0x0A>", "▁a", "[PAD5]"], m.Strings("tokenizer.ggml.tokens"));
        Assert.Equal([2, 3, 3, 6, 1, 5], m.Ints("tokenizer.ggml.token_type"));
        Assert.Equal([0f, 0f, 0f, 0f, -1.5f, 0f], m.Floats("tokenizer.ggml.scores"));
        Assert.False(m.Bool("tokenizer.ggml.add_space_prefix"));
        Assert.True(m.Bool("tokenizer.ggml.add_bos_token"));
        Assert.False(m.Bool("tokenizer.ggml.add_eos_token"));
        Assert.Equal(1u, m.UInt("tokenizer.ggml.bos_token_id"));
        Assert.Equal(0u, m.UInt("tokenizer.ggml.unknown_token_id"));
    }

    [Fact]
    public void A_unigram_model_is_LORA1621()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(Path.Combine(folder.Path, "tokenizer.model"), Model(modelType: 1, addDummyPrefix: true));

        var e = Assert.Throws<LoraException>(() => GgufTokenizerConverter.Convert(folder.Path, 5));

        Assert.Equal(ErrorCodes.UnsupportedTokenizerModel, e.Code);
    }

    [Fact]
    public void Truncated_bytes_are_LORA1620()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(Path.Combine(folder.Path, "tokenizer.model"), Model(2, true)[..7]);

        Assert.Equal(ErrorCodes.TokenizerFileInvalid, Assert.Throws<LoraException>(() => GgufTokenizerConverter.Convert(folder.Path, 5)).Code);
    }

    private static byte[] Model(int modelType, bool addDummyPrefix)
    {
        var model = new List<byte>();
        foreach (var (text, score, type) in new[] { ("<unk>", 0f, 2), ("<s>", 0f, 3), ("</s>", 0f, 3), ("<0x0A>", 0f, 6), ("▁a", -1.5f, 1) })
        {
            var piece = new List<byte>();
            Field(piece, 1, Encoding.UTF8.GetBytes(text));
            piece.Add(2 << 3 | 5);
            piece.AddRange(BitConverter.GetBytes(score));
            if (type != 1)
                piece.AddRange([3 << 3, (byte)type]);
            Field(model, 1, [.. piece]);
        }
        Field(model, 2, [3 << 3, (byte)modelType, 35 << 3 & 0x7F | 0x80, 35 >> 4, 1]); // trainer_spec: model_type, byte_fallback
        Field(model, 3, [3 << 3, addDummyPrefix ? (byte)1 : (byte)0]); // normalizer_spec.add_dummy_prefix
        return [.. model];
    }

    private static void Field(List<byte> message, int number, byte[] bytes)
    {
        message.Add((byte)(number << 3 | 2));
        message.Add((byte)bytes.Length);
        message.AddRange(bytes);
    }
}
