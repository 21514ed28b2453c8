namespace LoraMerge.Peft;

/// <summary>adapter_config.json <c>bias</c>: which base biases were trained and saved in the adapter file.</summary>
public enum BiasMode
{
    /// <summary><c>"none"</c>: no bias was trained.</summary>
    None,

    /// <summary><c>"all"</c>: every bias of the model was trained and saved.</summary>
    All,

    /// <summary><c>"lora_only"</c>: the biases of the LoRA-targeted layers were trained and saved.</summary>
    LoraOnly,
}
