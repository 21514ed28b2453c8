using AppWithAdapters.Inference;
using LoraMerge.Gguf.Tokenizers;

namespace LoraMerge.Gguf.Tests.Tokenizers;

/// <summary>The sample model's character vocabulary: llama.cpp tokenizes in-vocabulary text as CharTokenizer does.</summary>
public sealed class CharVocabularyTests
{
    private static readonly string SampleModel = Path.Combine(TokenizerFolders.RepoRoot, "samples", "AppWithAdapters", "models", "tiny-llama");

    // Only characters of vocab.json, already normalised (no tabs, \r, or decomposable characters): llama.cpp
    // cannot apply CharTokenizer's normalisation, and stops on characters it has no token or byte token for.
    public static TheoryData<string> Texts() => new()
    {
        "Hello, world!",
        "The answer is 42.\nNext line: x = (a + b) * c;",
        "  two leading spaces and two trailing  ",
        "#include <stdio.h> ~`|{}[]^_@$%&'\"?",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Llama_cpp_gives_the_CharTokenizer_ids_and_decodes_them_back(string text)
    {
        using var folder = new TempFolder();
        var metadata = GgufTokenizerConverter.Convert(SampleModel, 98);
        using var llama = new LlamaCppVocabulary(metadata, folder.Path);
        var chars = CharTokenizer.FromFile(Path.Combine(SampleModel, "vocab.json"));

        int[] expected = [chars.SeparatorId, .. chars.Encode(text)];
        Assert.Equal(expected, llama.Tokenize(text));
        Assert.Equal(text, llama.Detokenize(chars.Encode(text)));
        Assert.Equal(text, chars.Decode(llama.Tokenize(text)));
    }

    [Fact]
    public void Converts_to_a_SentencePiece_vocabulary_of_characters()
    {
        var m = Metadata.Of(GgufTokenizerConverter.Convert(SampleModel, 98));

        Assert.Equal("llama", m.String("tokenizer.ggml.model"));
        var tokens = m.Strings("tokenizer.ggml.tokens");
        var types = m.Ints("tokenizer.ggml.token_type");
        Assert.Equal(98, tokens.Count);
        Assert.Equal(("<unk>", 2), (tokens[0], types[0]));
        Assert.Equal(("<s>", 3), (tokens[1], types[1]));
        Assert.Equal(("\n", 1), (tokens[2], types[2]));
        Assert.Equal(("▁", 1), (tokens[3], types[3]));
        Assert.DoesNotContain(" ", tokens);
        Assert.All(m.Floats("tokenizer.ggml.scores"), s => Assert.Equal(0f, s));
        Assert.Equal(1u, m.UInt("tokenizer.ggml.bos_token_id"));
        Assert.Equal(1u, m.UInt("tokenizer.ggml.eos_token_id"));
        Assert.Equal(0u, m.UInt("tokenizer.ggml.unknown_token_id"));
        Assert.Equal(0u, m.UInt("tokenizer.ggml.padding_token_id"));
        Assert.True(m.Bool("tokenizer.ggml.add_bos_token"));
        Assert.False(m.Bool("tokenizer.ggml.add_eos_token"));
        Assert.False(m.Bool("tokenizer.ggml.add_space_prefix"));
    }
}
