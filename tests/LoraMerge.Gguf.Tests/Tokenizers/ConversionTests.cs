using System.Text.Json;
using LoraMerge.Gguf.Tokenizers;

namespace LoraMerge.Gguf.Tests.Tokenizers;

/// <summary>What the conversion writes for the real tokenizers, key by key.</summary>
public sealed class ConversionTests
{
    private static Metadata Convert(string name, int? vocabSize = null)
    {
        using var folder = TokenizerFolders.Unpack(name);
        return Metadata.Of(GgufTokenizerConverter.Convert(folder.Path, vocabSize ?? TokenizerFolders.VocabSizes[name]));
    }

    [Fact]
    public void Llama3_is_byte_level_BPE_with_the_llama_bpe_pre_tokenizer_and_no_BOS_from_its_post_processor()
    {
        var m = Convert("llama3");

        Assert.Equal("gpt2", m.String("tokenizer.ggml.model"));
        Assert.Equal("llama-bpe", m.String("tokenizer.ggml.pre"));
        var tokens = m.Strings("tokenizer.ggml.tokens");
        var types = m.Ints("tokenizer.ggml.token_type");
        Assert.Equal(128256, tokens.Count);
        Assert.Equal(("!", 1), (tokens[0], types[0]));
        Assert.Equal(("<|begin_of_text|>", 3), (tokens[128000], types[128000]));
        Assert.Equal(("<|reserved_special_token_250|>", 3), (tokens[128255], types[128255]));
        var merges = m.Strings("tokenizer.ggml.merges");
        Assert.Equal(280147, merges.Count);
        Assert.Equal("Ġ Ġ", merges[0]);
        Assert.False(m.Has("tokenizer.ggml.scores"));
        Assert.False(m.Has("tokenizer.ggml.add_space_prefix"));
        Assert.Equal(128000u, m.UInt("tokenizer.ggml.bos_token_id"));
        Assert.Equal(128001u, m.UInt("tokenizer.ggml.eos_token_id"));
        Assert.False(m.Bool("tokenizer.ggml.add_bos_token"));
        Assert.False(m.Bool("tokenizer.ggml.add_eos_token"));
    }

    [Fact]
    public void Chat_template_is_carried_over_verbatim()
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TokenizerFolders.TokenizersDir, "qwen3", "tokenizer_config.json")));

        Assert.Equal(config.RootElement.GetProperty("chat_template").GetString(), Convert("qwen3").String("tokenizer.chat_template"));
    }

    [Fact]
    public void Qwen3_merges_given_as_pairs_are_written_as_strings_and_the_vocabulary_is_padded_to_the_embedding()
    {
        var m = Convert("qwen3");

        Assert.Equal("qwen2", m.String("tokenizer.ggml.pre"));
        Assert.Equal("Ġ Ġ", m.Strings("tokenizer.ggml.merges")[0]);
        Assert.Equal(Convert("qwen2_5").Strings("tokenizer.ggml.merges").Take(1000), m.Strings("tokenizer.ggml.merges").Take(1000));
        var tokens = m.Strings("tokenizer.ggml.tokens");
        var types = m.Ints("tokenizer.ggml.token_type");
        Assert.Equal(151936, tokens.Count);
        Assert.Equal(("<|im_start|>", 3), (tokens[151644], types[151644]));
        Assert.Equal(("<think>", 4), (tokens[151667], types[151667])); // an added token Hugging Face does not mark special
        Assert.Equal(("[PAD151669]", 5), (tokens[151669], types[151669]));
        Assert.Equal(("[PAD151935]", 5), (tokens[151935], types[151935]));
        Assert.Equal(151645u, m.UInt("tokenizer.ggml.eos_token_id"));
        Assert.Equal(151643u, m.UInt("tokenizer.ggml.padding_token_id"));
        Assert.False(m.Has("tokenizer.ggml.bos_token_id"));
        Assert.False(m.Bool("tokenizer.ggml.add_bos_token"));
    }

    [Fact]
    public void Gpt2_uses_the_gpt_2_pre_tokenizer()
    {
        var m = Convert("gpt2");

        Assert.Equal("gpt-2", m.String("tokenizer.ggml.pre"));
        Assert.Equal(50256u, m.UInt("tokenizer.ggml.eos_token_id"));
        Assert.False(m.Bool("tokenizer.ggml.add_bos_token"));
    }

    [Fact]
    public void Mistral_from_tokenizer_json_alone_is_SentencePiece_with_merge_rank_scores_and_byte_tokens()
    {
        var m = Convert("mistral");

        Assert.Equal("llama", m.String("tokenizer.ggml.model"));
        Assert.False(m.Has("tokenizer.ggml.pre"));
        Assert.False(m.Has("tokenizer.ggml.merges"));
        var tokens = m.Strings("tokenizer.ggml.tokens");
        var types = m.Ints("tokenizer.ggml.token_type");
        var scores = m.Floats("tokenizer.ggml.scores");
        Assert.Equal(("<unk>", 2), (tokens[0], types[0]));
        Assert.Equal(("<s>", 3), (tokens[1], types[1]));
        Assert.Equal(("<0x0A>", 6), (tokens[13], types[13]));
        int t = tokens.ToList().IndexOf("▁t"); // made by the first merge, "▁ t"
        Assert.Equal(0f, scores[t]);
        int hello = tokens.ToList().IndexOf("▁Hello");
        Assert.True(scores[hello] < scores[t]);
        Assert.True(m.Bool("tokenizer.ggml.add_space_prefix"));
        Assert.True(m.Bool("tokenizer.ggml.add_bos_token"));
        Assert.False(m.Bool("tokenizer.ggml.add_eos_token"));
        Assert.Equal(0u, m.UInt("tokenizer.ggml.unknown_token_id"));
        Assert.Equal(2u, m.UInt("tokenizer.ggml.eos_token_id"));
    }

    [Fact]
    public void Without_merge_rank_scores_llama_cpp_would_tokenize_differently()
    {
        // llama.cpp's own fallback for a SentencePiece vocabulary without scores is equal scores: show that the
        // computed scores are what makes its ids equal to Hugging Face's.
        using var folder = TokenizerFolders.Unpack("mistral");
        var entries = GgufTokenizerConverter.Convert(folder.Path, 32000)
            .Select(e => e.Key == "tokenizer.ggml.scores" ? new GgufMetadataEntry(e.Key, GgufValue.Of(new float[32000])) : e).ToList();
        using var llama = new LlamaCppVocabulary(entries, folder.Path);

        Assert.Contains(TokenizerFolders.Reference("mistral"), c => !llama.Tokenize(c.Text).SequenceEqual(c.Ids));
    }

    [Fact]
    public void Entries_come_in_a_fixed_order()
    {
        Assert.Equal(
            ["tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges",
             "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token",
             "tokenizer.chat_template"],
            Convert("llama3").Keys);
    }
}
