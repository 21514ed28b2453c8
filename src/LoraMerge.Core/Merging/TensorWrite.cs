namespace LoraMerge.Merging;

/// <summary>Receives produced bytes of one output tensor; must be safe to call from several threads.</summary>
internal delegate void TensorWrite(long offsetInTensor, ReadOnlySpan<byte> bytes);

/// <summary>What a merge changed in one tensor, for <c>lora-merge.json</c>.</summary>
internal sealed record TensorChange(string Name, TensorAction Action, long ChangedElements, double MaxAbsDelta);
