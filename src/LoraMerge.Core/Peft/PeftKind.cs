namespace LoraMerge.Peft;

/// <summary>The adapter methods LoraMerge merges, by adapter_config.json's <c>peft_type</c>.</summary>
public enum PeftKind
{
    /// <summary><c>"LORA"</c>: LoRA, rsLoRA, DoRA.</summary>
    Lora,

    /// <summary><c>"LOHA"</c>: <c>ΔW = ((w1_a·w1_b) ⊙ (w2_a·w2_b))·alpha/r</c>.</summary>
    LoHa,

    /// <summary><c>"LOKR"</c>: <c>ΔW = kron(w1, w2)·alpha/r</c>, each factor full or a low-rank product.</summary>
    LoKr,

    /// <summary><c>"IA3"</c>: the weight's rows (or, for feed-forward modules, columns) multiplied by <c>ia3_l</c>.</summary>
    Ia3,
}
