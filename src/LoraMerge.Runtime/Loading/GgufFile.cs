using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using LoraMerge.Diagnostics;

namespace LoraMerge.Runtime;

/// <summary>
/// The path of a merged model's GGUF file (<c>model.gguf</c>), for llama.cpp-based runtimes such as LLamaSharp
/// (<c>new ModelParams(MathModel.GgufPath)</c>). What generated <c>GgufPath</c> properties call. A model shipped as files
/// gives its file beside the app; an embedded model's resource is extracted once to a per-user cache folder named by its
/// sha256, verified, and reused by later runs.
/// </summary>
public static class GgufFile
{
    /// <summary>The GGUF file's name in a model folder and in resource names.</summary>
    public const string FileName = LoraMerge.Contracts.ArtifactLayout.GgufFileName;

    // Cached files already verified by this process, so GgufPath hashes a cached file at most once per run.
    private static readonly ConcurrentDictionary<string, bool> Verified = new(StringComparer.Ordinal);

    /// <summary>
    /// From the folder <paramref name="artifact"/> under <see cref="AppContext.BaseDirectory"/>, or, when
    /// <paramref name="embeddedIn"/> is given, from that assembly's resources <c>LoraMerge/&lt;model&gt;/model.gguf</c>
    /// extracted to the per-user cache.
    /// </summary>
    /// <exception cref="ModelLoadException">LORA1501 missing, LORA1502 stale, LORA1503 corrupt, LORA1505 hash mismatch.</exception>
    public static string Resolve(string modelName, string artifact, string fingerprint, Assembly? embeddedIn = null)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(fingerprint);
        if (embeddedIn is null) return InFolder(modelName, Path.Combine(AppContext.BaseDirectory, artifact), fingerprint);
        return FromResources(modelName, fingerprint, embeddedIn.GetManifestResourceStream,
            $"assembly '{embeddedIn.GetName().Name}'", GgufCacheDirectory.Resolve());
    }

    /// <summary>
    /// The GGUF file of the model folder <paramref name="directory"/>. When <paramref name="fingerprint"/> is not empty,
    /// the folder's <c>lora-merge.json</c> must carry the same one.
    /// </summary>
    public static string InFolder(string modelName, string directory, string fingerprint)
    {
        var fullPath = Path.GetFullPath(directory);
        var path = Path.Combine(fullPath, FileName);
        if (fingerprint.Length > 0)
        {
            var metadataPath = Path.Combine(fullPath, ModelDescription.MetadataFileName);
            if (!File.Exists(metadataPath))
            {
                throw new ModelLoadException(ErrorCodes.ModelArtifactMissing, modelName,
                    $"Model '{modelName}': '{metadataPath}' does not exist. Build or publish the project so the model folder is copied " +
                    "next to the application.", metadataPath);
            }
            ArtifactMetadata.Parse(File.ReadAllBytes(metadataPath), modelName, metadataPath).CheckFingerprint(fingerprint, modelName, fullPath);
        }
        if (!File.Exists(path))
        {
            throw new ModelLoadException(ErrorCodes.ModelArtifactMissing, modelName,
                $"Model '{modelName}': the GGUF file '{path}' does not exist. Build or publish the project with Format=\"gguf\" " +
                "(or \"safetensors;gguf\") on its LoraAdapter items so it is copied next to the application.", path);
        }
        return path;
    }

    /// <summary>
    /// Extracts the resource <c>LoraMerge/&lt;model&gt;/model.gguf</c> to
    /// <c><paramref name="cacheDirectory"/>/&lt;sha256&gt;/model.gguf</c> unless a file with that hash is already there; the
    /// sha256 is the one <c>lora-merge.json</c> (also a resource) records. Written to a temp name, verified, then renamed.
    /// </summary>
    public static string FromResources(string modelName, string fingerprint, Func<string, Stream?> openResource, string source, string cacheDirectory)
    {
        ArgumentNullException.ThrowIfNull(openResource);
        ArgumentNullException.ThrowIfNull(cacheDirectory);
        var metadataName = ModelDescription.ResourceNameOf(modelName, ModelDescription.MetadataFileName);
        var metadata = ArtifactMetadata.Parse(ReadResource(openResource, metadataName, modelName, source), modelName, source);
        metadata.CheckFingerprint(fingerprint, modelName, source);
        if (!metadata.Sha256ByPath.TryGetValue(FileName, out var sha256) || !IsSha256(sha256))
        {
            throw new ModelLoadException(ErrorCodes.ModelArtifactHashMismatch, modelName,
                $"Model '{modelName}': {ModelDescription.MetadataFileName} in {source} records no valid sha256 for '{FileName}'.", metadataName);
        }
        sha256 = sha256.ToLowerInvariant();

        var folder = Path.Combine(cacheDirectory, sha256);
        var path = Path.Combine(folder, FileName);
        if (Verified.ContainsKey(path) && File.Exists(path)) return path;
        if (File.Exists(path) && HashOf(path) == sha256)
        {
            Verified[path] = true;
            return path;
        }

        var resourceName = ModelDescription.ResourceNameOf(modelName, FileName);
        using var resource = openResource(resourceName) ?? throw new ModelLoadException(ErrorCodes.ModelArtifactMissing, modelName,
            $"Model '{modelName}': {source} has no embedded resource '{resourceName}'.", resourceName);
        try
        {
            Directory.CreateDirectory(folder);
            var temp = Path.Combine(folder, $"{FileName}.{Guid.NewGuid():N}.tmp");
            try
            {
                var written = CopyHashing(resource, temp);
                if (written != sha256)
                {
                    throw new ModelLoadException(ErrorCodes.ModelArtifactHashMismatch, modelName,
                        $"Model '{modelName}': the sha256 of resource '{resourceName}' in {source} is {written} but " +
                        $"{ModelDescription.MetadataFileName} records {sha256}; the assembly is corrupt.", resourceName);
                }
                MoveIntoPlace(temp, path, sha256);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(ErrorCodes.OutputNotWritable, modelName,
                $"Model '{modelName}': the GGUF file could not be extracted to '{folder}': {e.Message} " +
                "Set LORAMERGE_CACHE_DIR to a writable folder.", folder, e);
        }
        Verified[path] = true;
        return path;
    }

    /// <summary>Another process may have put the same file there meanwhile (and may hold it open on Windows): that one is as good.</summary>
    private static void MoveIntoPlace(string temp, string path, string sha256)
    {
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException) when (File.Exists(path) && HashOf(path) == sha256)
        {
        }
    }

    private static byte[] ReadResource(Func<string, Stream?> openResource, string name, string modelName, string source)
    {
        using var stream = openResource(name) ?? throw new ModelLoadException(ErrorCodes.ModelArtifactMissing, modelName,
            $"Model '{modelName}': {source} has no embedded resource '{name}'.", name);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string CopyHashing(Stream source, string destination)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var target = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var buffer = new byte[1 << 20];
            int read;
            while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                target.Write(buffer, 0, read);
            }
            target.Flush(flushToDisk: true);
        }
        return LowerHex.Of(hash.GetHashAndReset());
    }

    private static string HashOf(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return LowerHex.Of(SHA256.HashData(stream));
    }

    // The hash names a folder, so it must not be able to name any other path.
    private static bool IsSha256(string text) => text.Length == 64 && text.All(Uri.IsHexDigit);
}
