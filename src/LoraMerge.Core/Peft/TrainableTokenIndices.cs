namespace LoraMerge.Peft;

/// <summary>
/// adapter_config.json <c>trainable_token_indices</c>: a list (rows of the input embedding) or a map from module name
/// to rows. PEFT matches a map key against a module key with a plain <c>endswith</c>.
/// </summary>
public sealed class TrainableTokenIndices
{
    internal TrainableTokenIndices(IReadOnlyList<int>? forInputEmbedding, IReadOnlyList<KeyValuePair<string, IReadOnlyList<int>>> byModule)
    {
        ForInputEmbedding = forInputEmbedding;
        ByModule = byModule;
    }

    /// <summary>The list form: rows of the model's input embedding (whatever its name).</summary>
    public IReadOnlyList<int>? ForInputEmbedding { get; }

    /// <summary>The map form, in JSON order.</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<int>>> ByModule { get; }

    /// <summary>The rows for the embedding module <paramref name="moduleKey"/>, or null when none are configured for it.</summary>
    public IReadOnlyList<int>? IndicesFor(string moduleKey)
    {
        if (ForInputEmbedding is not null) return ForInputEmbedding;
        foreach (var (name, indices) in ByModule)
        {
            if (moduleKey.EndsWith(name, StringComparison.Ordinal)) return indices;
        }
        return null;
    }
}
