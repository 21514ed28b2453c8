namespace AppWithAdapters.Inference;

/// <summary>Prompt in, text out: starts a document with the separator token, feeds the prompt through the KV
/// cache, then samples until the separator (end of document), the token limit or the context limit.</summary>
public sealed class TextGenerator(LlamaModel model, CharTokenizer tokenizer)
{
    public string Generate(string prompt, int maxNewTokens, Sampler sampler)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(sampler);
        var session = model.CreateSession();
        ReadOnlySpan<float> logits = session.Append(tokenizer.SeparatorId);
        foreach (int id in tokenizer.Encode(prompt))
        {
            if (session.Length == model.Config.MaxPositions)
            {
                return prompt;
            }

            logits = session.Append(id);
        }

        var generated = new List<int>();
        while (generated.Count < maxNewTokens && session.Length < model.Config.MaxPositions)
        {
            int next = sampler.Next(logits);
            if (next == tokenizer.SeparatorId)
            {
                break;
            }

            generated.Add(next);
            logits = session.Append(next);
        }

        return prompt + tokenizer.Decode(generated);
    }
}
