using LoraMerge.Formats;

namespace LoraMerge.Merging;

/// <summary>One adapter's LoRA module as an input of a combination: its factors as stored, its weight and its scaling.</summary>
/// <param name="Weight">The adapter's weight <c>w</c> (<c>--weight</c>, <c>Weight=</c>).</param>
/// <param name="Scaling">PEFT's <c>scaling[adapter]</c> for the module: <c>alpha / r</c> (or <c>alpha / sqrt(r)</c>), in double.</param>
internal sealed record CombinationInput(int AdapterIndex, TensorInfo A, TensorInfo B, double Weight, double Scaling)
{
    /// <summary>The module's rank (A's first dimension).</summary>
    public int Rank => checked((int)A.Shape[0]);
}

/// <summary>
/// The combined adapter of one module (PEFT's <c>add_weighted_adapter</c>), decided by the planner and computed per
/// tensor in the run (<see cref="CombinedFactors"/>): its factors replace the inputs' own terms.
/// </summary>
/// <param name="Type">The type actually applied (with one adapter PEFT always uses <c>linear</c>).</param>
/// <param name="Scale">The combined adapter's scaling, <c>new_alpha / new_r</c> = 1 (rsLoRA: <c>sqrt(new_r)</c>), as f32.</param>
/// <param name="RoundsFactors"><c>Rounding="peft"</c>, <c>cat</c> on a half base: the combined factors are stored in the base dtype.</param>
/// <param name="CastsDelta"><c>Rounding="peft"</c>: the combined delta is rounded to the stored dtype before it is added.</param>
internal sealed record CombinedTerm(
    string ModuleKey,
    FactorOrientation Orientation,
    IReadOnlyList<CombinationInput> Inputs,
    CombinationType Type,
    AdapterCombination Options,
    int NewRank,
    float Scale,
    bool RoundsFactors,
    bool CastsDelta)
{
    /// <summary>The first adapter that contributes: where the combined term sits in adapter order.</summary>
    public int AdapterIndex => Inputs[0].AdapterIndex;
}
