namespace LoraMerge.Peft;

/// <summary>Why an adapter file holds a full tensor that replaces a base tensor.</summary>
public enum ReplacementKind
{
    /// <summary>A module listed in <c>modules_to_save</c> (trained in full), e.g. a classification head.</summary>
    ModulesToSave,

    /// <summary>A base bias trained with <c>bias="all"</c> or <c>bias="lora_only"</c>.</summary>
    Bias,

    /// <summary>An input or output embedding saved with the adapter (targeted or resized); equal to the base unless the vocabulary was resized.</summary>
    SavedEmbedding,
}
