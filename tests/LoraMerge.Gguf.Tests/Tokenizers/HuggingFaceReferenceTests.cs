using LoraMerge.Gguf.Tokenizers;
using Xunit.Abstractions;

namespace LoraMerge.Gguf.Tests.Tokenizers;

/// <summary>
/// For each real tokenizer: llama.cpp, reading the converted metadata, gives the Hugging Face tokenizer's ids for every
/// committed text (with special tokens added and parsed), and decodes them back as Hugging Face does.
/// </summary>
public sealed class HuggingFaceReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names() => new(TokenizerFolders.VocabSizes.Keys.Order());

    [Theory]
    [MemberData(nameof(Names))]
    public void Llama_cpp_ids_equal_the_Hugging_Face_ids_on_every_text(string name)
    {
        using var folder = TokenizerFolders.Unpack(name);
        var metadata = GgufTokenizerConverter.Convert(folder.Path, TokenizerFolders.VocabSizes[name]);
        using var llama = new LlamaCppVocabulary(metadata, folder.Path);

        var cases = TokenizerFolders.Reference(name);
        var failures = new List<string>();
        int sameIds = 0, sameText = 0, roundTrips = 0;
        foreach (var c in cases)
        {
            var ids = llama.Tokenize(c.Text);
            if (ids.SequenceEqual(c.Ids))
                sameIds++;
            else
                failures.Add($"ids of {Show(c.Text)}: HF [{string.Join(", ", c.Ids)}], llama.cpp [{string.Join(", ", ids)}]");

            string decoded = llama.Detokenize(c.PlainIds);
            if (decoded == c.Decoded)
                sameText++;
            else
                failures.Add($"decoding of {Show(c.Text)}: HF {Show(c.Decoded)}, llama.cpp {Show(decoded)}");
            if (decoded == c.Text)
                roundTrips++;
        }

        output.WriteLine($"{name}: {cases.Count} texts, ids equal on {sameIds}, decoding equal on {sameText}, text back on {roundTrips}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string Show(string s) =>
        $"\"{System.Text.Json.JsonEncodedText.Encode(s, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"";
}
