using System.Runtime.InteropServices;
using System.Text;
using LLama.Native;

namespace LoraMerge.Gguf.Tests.Tokenizers;

/// <summary>
/// llama.cpp's tokenizer over converted metadata: a vocab-only GGUF (llama architecture hyperparameters, no tensors)
/// written with GgufLayout/GgufWriter and loaded with vocab_only, then llama_tokenize / llama_detokenize.
/// </summary>
internal sealed unsafe partial class LlamaCppVocabulary : IDisposable
{
    private readonly SafeLlamaModelHandle _model;
    private readonly IntPtr _vocab;

    public LlamaCppVocabulary(IReadOnlyList<GgufMetadataEntry> tokenizer, string folder)
    {
        string path = Path.Combine(folder, "vocab.gguf");
        var metadata = new List<GgufMetadataEntry>
        {
            new("general.architecture", GgufValue.Of("llama")),
            new("general.name", GgufValue.Of("tokenizer-test")),
            new("llama.context_length", GgufValue.Of(256u)),
            new("llama.embedding_length", GgufValue.Of(64u)),
            new("llama.block_count", GgufValue.Of(1u)),
            new("llama.feed_forward_length", GgufValue.Of(128u)),
            new("llama.attention.head_count", GgufValue.Of(4u)),
            new("llama.attention.head_count_kv", GgufValue.Of(4u)),
            new("llama.attention.layer_norm_rms_epsilon", GgufValue.Of(1e-5f)),
            new("llama.rope.dimension_count", GgufValue.Of(16u)),
        };
        metadata.AddRange(tokenizer);
        using (var writer = GgufWriter.Create(path, GgufLayout.Build(metadata, [])))
            writer.Commit();

        NativeApi.llama_empty_call();
        var p = LLamaModelParams.Default();
        p.vocab_only = true;
        _model = SafeLlamaModelHandle.LoadFromFile(path, p);
        _vocab = llama_model_get_vocab(_model.DangerousGetHandle());
    }

    public int[] Tokenize(string text, bool addSpecial = true, bool parseSpecial = true)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var tokens = new int[bytes.Length + 8];
        fixed (byte* b = bytes)
        fixed (int* t = tokens)
        {
            int n = llama_tokenize(_vocab, b, bytes.Length, t, tokens.Length, addSpecial, parseSpecial);
            Assert.True(n >= 0, $"llama_tokenize needs {-n} tokens");
            return tokens[..n];
        }
    }

    public string Detokenize(int[] ids, bool removeSpecial = false, bool unparseSpecial = true)
    {
        var buffer = new byte[ids.Length * 64 + 64];
        fixed (int* t = ids)
        fixed (byte* b = buffer)
        {
            int n = llama_detokenize(_vocab, t, ids.Length, b, buffer.Length, removeSpecial, unparseSpecial);
            Assert.True(n >= 0, $"llama_detokenize needs {-n} bytes");
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
    }

    public void Dispose() => _model.Dispose();

    private const string Llama = "llama";

    [LibraryImport(Llama)]
    private static partial IntPtr llama_model_get_vocab(IntPtr model);

    [LibraryImport(Llama)]
    private static partial int llama_tokenize(IntPtr vocab, byte* text, int textLength, int* tokens, int maxTokens,
        [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

    [LibraryImport(Llama)]
    private static partial int llama_detokenize(IntPtr vocab, int* tokens, int count, byte* text, int textLength,
        [MarshalAs(UnmanagedType.U1)] bool removeSpecial, [MarshalAs(UnmanagedType.U1)] bool unparseSpecial);

    /// <summary>
    /// Binds "llama" to the libllama LLamaSharp has already loaded (found in /proc/self/maps, so Linux only, as the
    /// rest of this project's native checks): LLamaSharp keeps the vocabulary pointer these functions take internal.
    /// </summary>
    static LlamaCppVocabulary()
    {
        NativeLibrary.SetDllImportResolver(typeof(LlamaCppVocabulary).Assembly, (name, _, _) =>
        {
            if (name != Llama)
                return IntPtr.Zero;
            NativeApi.llama_empty_call();
            string loaded = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).StartsWith("libllama.", StringComparison.Ordinal))
                .Select(f => f[5]).First();
            return NativeLibrary.Load(loaded);
        });
    }
}
