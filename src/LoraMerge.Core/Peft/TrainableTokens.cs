using LoraMerge.Formats;

namespace LoraMerge.Peft;

/// <summary>
/// PEFT trainable tokens: row <c>i</c> of <paramref name="Delta"/> replaces row <c>Indices[i]</c> of the base
/// embedding <paramref name="BaseTensorName"/> (the stored "delta" rows are the new rows, not differences).
/// </summary>
public sealed record TrainableTokens(string BaseTensorName, TensorInfo Delta, int[] Indices);
