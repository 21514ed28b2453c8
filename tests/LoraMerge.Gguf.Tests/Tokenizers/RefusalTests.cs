using System.Text.Json.Nodes;
using LoraMerge.Diagnostics;
using LoraMerge.Gguf.Tokenizers;

namespace LoraMerge.Gguf.Tests.Tokenizers;

/// <summary>Shapes that match nothing known are refused with their code and what did not match; sizes are checked.</summary>
public sealed class RefusalTests
{
    private static LoraException Refused(JsonObject tokenizerJson, string? config = null, int vocabSize = 4)
    {
        using var folder = new TempFolder();
        SyntheticTokenizers.Write(folder.Path, tokenizerJson, config);
        return Assert.Throws<LoraException>(() => GgufTokenizerConverter.Convert(folder.Path, vocabSize));
    }

    [Fact]
    public void The_synthetic_tokenizer_itself_converts_and_is_padded()
    {
        using var folder = new TempFolder();
        SyntheticTokenizers.Write(folder.Path, SyntheticTokenizers.ByteLevel());

        var m = Metadata.Of(GgufTokenizerConverter.Convert(folder.Path, 6));

        Assert.Equal(["a", "b", "ab", "<|end|>", "[PAD4]", "[PAD5]"], m.Strings("tokenizer.ggml.tokens"));
        Assert.Equal([1, 1, 1, 3, 5, 5], m.Ints("tokenizer.ggml.token_type"));
        Assert.Equal(["a b"], m.Strings("tokenizer.ggml.merges"));
    }

    [Fact]
    public void No_tokenizer_files_is_LORA1605()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "config.json"), """{"vocab_size": 4}""");

        var e = Assert.Throws<LoraException>(() => GgufTokenizerConverter.Convert(folder.Path, 4));

        Assert.Equal(ErrorCodes.TokenizerMissing, e.Code);
    }

    [Fact]
    public void More_tokens_than_embedding_rows_is_LORA1604()
    {
        var e = Refused(SyntheticTokenizers.ByteLevel(), vocabSize: 3);

        Assert.Equal(ErrorCodes.VocabularySizeMismatch, e.Code);
        Assert.Contains("4 tokens", e.Message);
    }

    [Fact]
    public void An_unknown_pre_tokenizer_is_LORA1622_and_shows_the_definition()
    {
        var json = SyntheticTokenizers.ByteLevel();
        json["pre_tokenizer"] = new JsonObject { ["type"] = "Whitespace" };

        var e = Refused(json);

        Assert.Equal(ErrorCodes.UnknownPreTokenizer, e.Code);
        Assert.Contains("{\"type\":\"Whitespace\"}", e.Message);
    }

    [Fact]
    public void A_known_pre_tokenizer_with_one_setting_changed_is_LORA1622()
    {
        var json = SyntheticTokenizers.ByteLevel();
        json["pre_tokenizer"]!["add_prefix_space"] = true;

        Assert.Equal(ErrorCodes.UnknownPreTokenizer, Refused(json).Code);
    }

    [Fact]
    public void A_normalizer_the_pre_tokenizer_is_not_known_with_is_LORA1622()
    {
        var json = SyntheticTokenizers.ByteLevel();
        json["normalizer"] = new JsonObject { ["type"] = "Lowercase" };

        var e = Refused(json);

        Assert.Equal(ErrorCodes.UnknownPreTokenizer, e.Code);
        Assert.Contains("Lowercase", e.Message);
    }

    [Fact]
    public void A_model_other_than_BPE_is_LORA1621()
    {
        var json = SyntheticTokenizers.ByteLevel();
        json["model"]!["type"] = "WordPiece";

        var e = Refused(json);

        Assert.Equal(ErrorCodes.UnsupportedTokenizerModel, e.Code);
        Assert.Contains("WordPiece", e.Message);
    }

    [Fact]
    public void A_BERT_post_processor_is_LORA1623()
    {
        var json = SyntheticTokenizers.ByteLevel();
        json["post_processor"] = new JsonObject { ["type"] = "BertProcessing" };

        Assert.Equal(ErrorCodes.UnsupportedPostProcessor, Refused(json).Code);
    }

    [Fact]
    public void A_special_token_not_in_the_vocabulary_is_LORA1624()
    {
        var e = Refused(SyntheticTokenizers.ByteLevel(), """{"eos_token": "</s>"}""");

        Assert.Equal(ErrorCodes.SpecialTokenNotInVocabulary, e.Code);
        Assert.Contains("</s>", e.Message);
    }

    [Fact]
    public void Invalid_json_is_LORA1620()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer.json"), "{ not json");

        Assert.Equal(ErrorCodes.TokenizerFileInvalid, Assert.Throws<LoraException>(() => GgufTokenizerConverter.Convert(folder.Path, 4)).Code);
    }

    [Fact]
    public void A_template_post_processor_decides_add_bos_and_add_eos()
    {
        var json = SyntheticTokenizers.ByteLevel();
        json["post_processor"] = JsonNode.Parse("""
            {"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<|end|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],
             "pair":[],"special_tokens":{}}
            """);
        using var folder = new TempFolder();
        SyntheticTokenizers.Write(folder.Path, json);

        var m = Metadata.Of(GgufTokenizerConverter.Convert(folder.Path, 4));

        Assert.True(m.Bool("tokenizer.ggml.add_bos_token"));
        Assert.False(m.Bool("tokenizer.ggml.add_eos_token"));
        Assert.Equal(3u, m.UInt("tokenizer.ggml.bos_token_id"));
    }

    [Fact]
    public void A_Llama_tokenizer_class_takes_add_bos_and_add_eos_from_its_config()
    {
        using var folder = TokenizerFolders.Unpack("mistral");
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer_config.json"),
            """{"tokenizer_class": "LlamaTokenizer", "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "add_bos_token": false, "add_eos_token": true}""");

        var m = Metadata.Of(GgufTokenizerConverter.Convert(folder.Path, 32000));

        Assert.False(m.Bool("tokenizer.ggml.add_bos_token"));
        Assert.True(m.Bool("tokenizer.ggml.add_eos_token"));
    }

    [Fact]
    public void A_Metaspace_prepend_scheme_first_is_LORA1622()
    {
        using var folder = TokenizerFolders.Unpack("mistral");
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Path, "tokenizer.json")))!.AsObject();
        json["normalizer"] = null;
        json["pre_tokenizer"] = JsonNode.Parse("""{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false}""");
        SyntheticTokenizers.Write(folder.Path, json);

        var e = Assert.Throws<LoraException>(() => GgufTokenizerConverter.Convert(folder.Path, 32000));

        Assert.Equal(ErrorCodes.UnknownPreTokenizer, e.Code);
        Assert.Contains("first", e.Message);
    }
}
