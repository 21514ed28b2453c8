namespace LoraMerge.Provenance;

/// <summary>A file recorded in <c>lora-merge.json</c>: its path relative to its folder (<c>/</c> separators), size and sha256.</summary>
internal sealed record FileRecord(string Path, long Size, string Sha256);
