namespace LoraMerge.Gguf.Tokenizers;

/// <summary>llama.cpp's token types (<c>tokenizer.ggml.token_type</c>), with its numbers.</summary>
public enum GgufTokenType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}
