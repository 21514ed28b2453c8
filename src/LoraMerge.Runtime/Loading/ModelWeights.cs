using System.Reflection;
using System.Security.Cryptography;
using LoraMerge.Diagnostics;

namespace LoraMerge.Runtime;

/// <summary>
/// The weights of a model, mapped in place (memory-mapped files or embedded resources; headers are read, data is never
/// copied) and checked against the <see cref="ModelDescription"/> a generated class was compiled with.
/// </summary>
public sealed unsafe class ModelWeights : IDisposable
{
    private const int MaxListedProblems = 8;

    private readonly List<WeightFile> _files;
    private readonly Dictionary<string, ModelTensor> _byName;
    private int _disposed;

    private ModelWeights(ModelDescription description, string source, List<WeightFile> files)
    {
        Description = description;
        Source = source;
        _files = files;
        var tensors = new ModelTensor[description.Tensors.Count];
        _byName = new Dictionary<string, ModelTensor>(tensors.Length, StringComparer.Ordinal);
        Tensors = tensors;
        for (var i = 0; i < tensors.Length; i++)
        {
            var expected = description.Tensors[i];
            var file = files[IndexOf(description.Files, expected.File)];
            var info = file.Header.Find(expected.Name)!;
            tensors[i] = new ModelTensor(expected, file.PointerOf(info), info.ByteLength, this);
            _byName.Add(expected.Name, tensors[i]);
        }
    }

    public ModelDescription Description { get; }

    /// <summary>The folder, or the assembly, the weights were mapped from.</summary>
    public string Source { get; }

    /// <summary>Every tensor, in the order of <see cref="ModelDescription.Tensors"/> (file order).</summary>
    public IReadOnlyList<ModelTensor> Tensors { get; }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public ModelTensor this[string name] =>
        _byName.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"Model '{Description.Name}' has no tensor '{name}'.");

    public bool TryGetTensor(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ModelTensor tensor) =>
        _byName.TryGetValue(name, out tensor);

    /// <summary>
    /// What generated classes call: from <paramref name="directory"/> when given; otherwise from the embedded resources of
    /// <paramref name="resourceAssembly"/> when the model is embedded, else from <see cref="ModelDescription.DefaultDirectory"/>.
    /// </summary>
    public static ModelWeights Load(ModelDescription description, string? directory = null, bool verifyHashes = false, Assembly? resourceAssembly = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        if (directory is null && description.Embedded)
        {
            if (resourceAssembly is null)
                throw new ArgumentNullException(nameof(resourceAssembly), $"Model '{description.Name}' is embedded; pass the assembly holding it.");
            return OpenEmbedded(description, resourceAssembly, verifyHashes);
        }
        return Open(description, directory ?? description.DefaultDirectory, verifyHashes);
    }

    /// <summary>Maps the model folder <paramref name="directory"/>.</summary>
    public static ModelWeights Open(ModelDescription description, string directory, bool verifyHashes = false)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(directory);
        var fullPath = Path.GetFullPath(directory);
        var name = description.Name;
        if (!Directory.Exists(fullPath))
        {
            throw new ModelLoadException(ErrorCodes.ModelArtifactMissing, name,
                $"Model '{name}': the folder '{fullPath}' does not exist. Build or publish the project so '{description.Artifact}' " +
                "is copied next to the application, or pass the model folder to Load(directory).", fullPath);
        }
        return Create(description, fullPath, verifyHashes,
            readMetadata: () =>
            {
                var path = Path.Combine(fullPath, ModelDescription.MetadataFileName);
                return File.Exists(path) ? File.ReadAllBytes(path) : null;
            },
            openFile: relative =>
            {
                var path = Path.Combine(fullPath, relative);
                if (!File.Exists(path))
                {
                    throw new ModelLoadException(ErrorCodes.ModelArtifactMissing, name,
                        $"Model '{name}': the weight file '{relative}' is missing from '{fullPath}'.", path);
                }
                return new MappedWeightFile(Formats.SafetensorsFile.Open(path));
            });
    }

    /// <summary>Reads the model from the embedded resources <c>LoraMerge/&lt;Name&gt;/&lt;file&gt;</c> of <paramref name="assembly"/>, in place.</summary>
    public static ModelWeights OpenEmbedded(ModelDescription description, Assembly assembly, bool verifyHashes = false)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return OpenResources(description, assembly.GetManifestResourceStream, $"assembly '{assembly.GetName().Name}'", verifyHashes);
    }

    /// <summary>
    /// Reads the model from resources looked up by name (<see cref="ModelDescription.ResourceName"/>); each must be an
    /// <see cref="UnmanagedMemoryStream"/>, whose memory is used in place. The streams are disposed with the weights.
    /// </summary>
    public static ModelWeights OpenResources(ModelDescription description, Func<string, Stream?> openResource, string source, bool verifyHashes = false)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(openResource);
        var name = description.Name;
        return Create(description, source, verifyHashes,
            readMetadata: () =>
            {
                using var stream = openResource(description.ResourceName(ModelDescription.MetadataFileName));
                if (stream is null) return null;
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray();
            },
            openFile: relative =>
            {
                var resource = description.ResourceName(relative);
                var stream = openResource(resource);
                if (stream is null)
                {
                    throw new ModelLoadException(ErrorCodes.ModelArtifactMissing, name,
                        $"Model '{name}': {source} has no embedded resource '{resource}'.", resource);
                }
                if (stream is not UnmanagedMemoryStream memory)
                {
                    stream.Dispose();
                    throw new ModelLoadException(ErrorCodes.ModelArtifactCorrupt, name,
                        $"Model '{name}': the resource '{resource}' is not held in memory, so it cannot be read in place.", resource);
                }
                try
                {
                    return MemoryWeightFile.Create(memory, resource);
                }
                catch
                {
                    memory.Dispose();
                    throw;
                }
            });
    }

    private static ModelWeights Create(
        ModelDescription description, string source, bool verifyHashes, Func<byte[]?> readMetadata, Func<string, WeightFile> openFile)
    {
        var name = description.Name;
        ArtifactMetadata? metadata = null;
        if (description.Fingerprint.Length > 0 || verifyHashes)
        {
            var json = readMetadata() ?? throw new ModelLoadException(ErrorCodes.ModelArtifactMissing, name,
                $"Model '{name}': {source} has no {ModelDescription.MetadataFileName}, so the weights cannot be checked against the build.", source);
            metadata = ArtifactMetadata.Parse(json, name, source);
        }
        metadata?.CheckFingerprint(description.Fingerprint, name, source);

        var files = new List<WeightFile>();
        try
        {
            foreach (var relative in description.Files)
            {
                try
                {
                    files.Add(openFile(relative));
                }
                catch (LoraException e) when (e is not ModelLoadException)
                {
                    throw new ModelLoadException(ErrorCodes.ModelArtifactCorrupt, name,
                        $"Model '{name}': the weight file '{relative}' in {source} is corrupt: {e.Message}", e.FilePath ?? relative, e);
                }
            }
            CheckTensors(description, source, files);
            if (verifyHashes) VerifyHashes(description, source, files, metadata!);
            return new ModelWeights(description, source, files);
        }
        catch
        {
            foreach (var file in files) file.Dispose();
            throw;
        }
    }

    private static void CheckTensors(ModelDescription description, string source, List<WeightFile> files)
    {
        var problems = new List<string>();
        var expectedNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var expected in description.Tensors)
        {
            expectedNames.Add(expected.Name);
            var header = files[IndexOf(description.Files, expected.File)].Header;
            var actual = header.Find(expected.Name);
            if (actual is null)
            {
                problems.Add($"tensor '{expected.Name}' is missing from '{expected.File}'");
            }
            else if (actual.DType != expected.DType || !actual.Shape.AsSpan().SequenceEqual(expected.Shape))
            {
                problems.Add($"tensor '{expected.Name}' is {actual.DType} {actual.ShapeText} in '{expected.File}' " +
                             $"but was compiled as {expected.DType} {expected.ShapeText}");
            }
        }
        for (var i = 0; i < files.Count; i++)
        {
            foreach (var actual in files[i].Header.Tensors)
            {
                if (!expectedNames.Contains(actual.Name))
                    problems.Add($"tensor '{actual.Name}' in '{description.Files[i]}' was not compiled in");
            }
        }
        if (problems.Count == 0) return;

        var listed = string.Join("; ", problems.Take(MaxListedProblems));
        var more = problems.Count > MaxListedProblems ? $"; and {problems.Count - MaxListedProblems} more" : "";
        throw new ModelLoadException(ErrorCodes.ModelArtifactMismatch, description.Name,
            $"Model '{description.Name}': the weights in {source} do not match what the application was compiled against " +
            $"(rebuild the project): {listed}{more}.", source);
    }

    private static void VerifyHashes(ModelDescription description, string source, List<WeightFile> files, ArtifactMetadata metadata)
    {
        for (var i = 0; i < files.Count; i++)
        {
            var relative = description.Files[i];
            if (!metadata.Sha256ByPath.TryGetValue(ArtifactMetadata.NormalizePath(relative), out var expected))
            {
                throw new ModelLoadException(ErrorCodes.ModelArtifactHashMismatch, description.Name,
                    $"Model '{description.Name}': {ModelDescription.MetadataFileName} in {source} records no sha256 for '{relative}'.", source);
            }
            string actual;
            using (var stream = files[i].OpenRead()) actual = LowerHex.Of(SHA256.HashData(stream));
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelLoadException(ErrorCodes.ModelArtifactHashMismatch, description.Name,
                    $"Model '{description.Name}': the sha256 of '{relative}' in {source} is {actual} but " +
                    $"{ModelDescription.MetadataFileName} records {expected}; the file is corrupt.", relative);
            }
        }
    }

    private static int IndexOf(IReadOnlyList<string> files, string file)
    {
        for (var i = 0; i < files.Count; i++)
        {
            if (string.Equals(files[i], file, StringComparison.Ordinal)) return i;
        }
        throw new InvalidOperationException($"'{file}' is not one of the model's files.");
    }

    /// <summary>Unmaps the files; the tensors' spans must not be used afterwards.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var file in _files) file.Dispose();
    }
}
