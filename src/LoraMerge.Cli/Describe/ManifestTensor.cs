namespace LoraMerge.Cli.Describe;

/// <summary>One tensor of the merged model as the manifest lists it.</summary>
internal sealed record ManifestTensor(string Name, string DType, IReadOnlyList<long> Shape, string File);
