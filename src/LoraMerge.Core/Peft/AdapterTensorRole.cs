namespace LoraMerge.Peft;

/// <summary>What a tensor key of adapter_model.safetensors names, from its key alone.</summary>
internal enum AdapterTensorRole
{
    LoraA,
    LoraB,
    LoraBBias,
    EmbeddingA,
    EmbeddingB,
    Magnitude,
    TrainableTokensDelta,

    /// <summary>A LoHa, LoKr or IA3 parameter (<c>hada_w1_a</c>, <c>lokr_w2</c>, <c>ia3_l</c>, ...), named by <see cref="AdapterTensorKey.Parameter"/>.</summary>
    VariantParameter,

    /// <summary>Any other parameter: a modules_to_save copy, a trained bias or a saved embedding, decided with the config.</summary>
    FullParameter,

    /// <summary>Not a PEFT LoRA key at all.</summary>
    Unknown,
}
