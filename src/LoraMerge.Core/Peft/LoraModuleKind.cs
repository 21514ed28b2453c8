namespace LoraMerge.Peft;

/// <summary>The layer type a LoRA module was put on, as told by its tensors.</summary>
public enum LoraModuleKind
{
    /// <summary><c>lora_A.weight</c> (r, in) and <c>lora_B.weight</c> (out, r): nn.Linear or transformers Conv1D.</summary>
    Linear,

    /// <summary><c>lora_embedding_A</c> (r, num_embeddings) and <c>lora_embedding_B</c> (embedding_dim, r).</summary>
    Embedding,

    /// <summary><c>lora_A.weight</c> (r, in, *kernel) and <c>lora_B.weight</c> (out, r, 1, ...): Conv1d/2d/3d.</summary>
    Conv,
}
