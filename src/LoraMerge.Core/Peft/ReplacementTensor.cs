using LoraMerge.Formats;

namespace LoraMerge.Peft;

/// <summary>A full tensor of the adapter file that replaces the base tensor <paramref name="BaseTensorName"/>.</summary>
public sealed record ReplacementTensor(string BaseTensorName, TensorInfo Source, ReplacementKind Kind);
