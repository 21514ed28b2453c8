using LoraMerge.Formats;

namespace LoraMerge.Peft;

/// <summary>The tensors of one module adapted by LoHa, LoKr or IA3 (not plain LoRA factors).</summary>
/// <param name="ModuleKey">The module's path inside the base transformers model.</param>
/// <param name="Factors">The module's tensors by PEFT parameter name (<c>hada_w1_a</c>, <c>lokr_w1</c>, <c>ia3_l</c>, ...).</param>
/// <param name="Rank">The config's rank for this module (<c>rank_pattern</c> or <c>r</c>); 0 for IA3.</param>
/// <param name="Alpha">The config's alpha for this module (<c>alpha_pattern</c> or <c>alpha</c>); 0 for IA3.</param>
public sealed record VariantModule(string ModuleKey, PeftKind Kind, IReadOnlyDictionary<string, TensorInfo> Factors, int Rank, double Alpha)
{
    public string BaseWeightName => ModuleKey + ".weight";

    public string BaseBiasName => ModuleKey + ".bias";

    public TensorInfo Factor(string name) => Factors[name];

    public TensorInfo? OptionalFactor(string name) => Factors.TryGetValue(name, out var t) ? t : null;
}
