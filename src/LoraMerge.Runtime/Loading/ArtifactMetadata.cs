using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Runtime;

/// <summary>The two fields of a model folder's <c>lora-merge.json</c> the loader needs.</summary>
internal sealed record ArtifactMetadata(string? Fingerprint, IReadOnlyDictionary<string, string> Sha256ByPath)
{
    public static ArtifactMetadata Parse(byte[] json, string modelName, string location)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException("the root is not an object");
            string? fingerprint = null;
            if (root.TryGetProperty("fingerprint", out var f) && f.ValueKind == JsonValueKind.String) fingerprint = f.GetString();
            var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array)
            {
                foreach (var output in outputs.EnumerateArray())
                {
                    if (output.ValueKind == JsonValueKind.Object &&
                        output.TryGetProperty("path", out var path) && path.ValueKind == JsonValueKind.String &&
                        output.TryGetProperty("sha256", out var sha) && sha.ValueKind == JsonValueKind.String)
                    {
                        hashes[NormalizePath(path.GetString()!)] = sha.GetString()!;
                    }
                }
            }
            return new ArtifactMetadata(fingerprint, hashes);
        }
        catch (JsonException e)
        {
            throw new ModelLoadException(ErrorCodes.ModelArtifactCorrupt, modelName,
                $"Model '{modelName}': {ModelDescription.MetadataFileName} is not valid JSON ({e.Message}).", location, e);
        }
    }

    public static string NormalizePath(string path) => path.Replace('\\', '/');

    /// <summary>
    /// Throws <c>LORA1502</c> when <paramref name="compiled"/> (the fingerprint a generated class was compiled with) is not
    /// empty and differs from this folder's.
    /// </summary>
    public void CheckFingerprint(string compiled, string modelName, string source)
    {
        if (compiled.Length == 0 || string.Equals(Fingerprint, compiled, StringComparison.OrdinalIgnoreCase)) return;
        var actual = Fingerprint is null ? "no fingerprint" : $"fingerprint '{Fingerprint}'";
        throw new ModelLoadException(ErrorCodes.ModelArtifactStale, modelName,
            $"Model '{modelName}' in {source} is stale: its {ModelDescription.MetadataFileName} has {actual} but the application was " +
            $"compiled against '{compiled}'. Rebuild the project so the model and the generated class match.", source);
    }
}
