using System.Diagnostics.CodeAnalysis;
using LoraMerge.Diagnostics;

namespace LoraMerge.Formats;

/// <summary>A model's weights: a single <c>model.safetensors</c>, or <c>model.safetensors.index.json</c> plus its shards.</summary>
public sealed class ShardedCheckpoint
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly Dictionary<string, (SafetensorsHeader Shard, TensorInfo Tensor)> _byName;

    private ShardedCheckpoint(string? indexPath, IReadOnlyList<SafetensorsHeader> shards, IReadOnlyDictionary<string, string> indexMetadata)
    {
        IndexPath = indexPath;
        Shards = shards;
        ShardPaths = shards.Select(s => s.FilePath).ToArray();
        IndexMetadata = indexMetadata;
        _byName = new Dictionary<string, (SafetensorsHeader, TensorInfo)>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            foreach (var tensor in shard.Tensors) _byName.Add(tensor.Name, (shard, tensor));
        }
    }

    /// <summary>The index file, or null for a single-file checkpoint.</summary>
    public string? IndexPath { get; }

    /// <summary>Shard files in index order (sorted file names); one entry for a single-file checkpoint.</summary>
    public IReadOnlyList<string> ShardPaths { get; }

    public IReadOnlyList<SafetensorsHeader> Shards { get; }

    /// <summary>The index's <c>metadata</c> object as text (e.g. <c>total_size</c>); empty for a single file.</summary>
    public IReadOnlyDictionary<string, string> IndexMetadata { get; }

    /// <summary>Every tensor, shard by shard, each shard in file order.</summary>
    public IEnumerable<(SafetensorsHeader Shard, TensorInfo Tensor)> AllTensors =>
        Shards.SelectMany(shard => shard.Tensors.Select(tensor => (shard, tensor)));

    public int TensorCount => _byName.Count;

    /// <summary>Opens <c>model.safetensors</c> if present, else the index and its shards, and validates them.</summary>
    public static ShardedCheckpoint Open(string modelDirectory)
    {
        var directory = Path.GetFullPath(modelDirectory);
        if (!Directory.Exists(directory))
            throw new LoraException(ErrorCodes.FileNotFound, $"Model folder not found: {directory}", directory);
        var single = Path.Combine(directory, SingleFileName);
        if (File.Exists(single)) return OpenSingleFile(single);
        var index = Path.Combine(directory, IndexFileName);
        if (File.Exists(index)) return OpenIndex(index);
        throw new LoraException(ErrorCodes.FileNotFound,
            $"The folder has neither {SingleFileName} nor {IndexFileName}: {directory}", directory);
    }

    /// <summary>A checkpoint made of one safetensors file.</summary>
    public static ShardedCheckpoint OpenSingleFile(string safetensorsPath) =>
        new(null, [SafetensorsHeader.Read(safetensorsPath)], new Dictionary<string, string>());

    /// <summary>A checkpoint described by an index; the shards are looked for beside it.</summary>
    public static ShardedCheckpoint OpenIndex(string indexPath)
    {
        indexPath = Path.GetFullPath(indexPath);
        var index = ShardIndexFile.Read(indexPath);
        var directory = Path.GetDirectoryName(indexPath)!;
        var shardNames = index.WeightMap.Select(e => e.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (shardNames.Length == 0) throw ShardIndexFile.Fail(indexPath, "weight_map is empty");
        var shards = new List<SafetensorsHeader>(shardNames.Length);
        foreach (var shardName in shardNames)
        {
            if (shardName.Length == 0 || shardName != Path.GetFileName(shardName) || shardName is "." or "..")
                throw ShardIndexFile.Fail(indexPath, "shard is not a plain file name", shardName);
            var shardPath = Path.Combine(directory, shardName);
            if (!File.Exists(shardPath)) throw ShardIndexFile.Fail(indexPath, "shard file is missing", shardName);
            shards.Add(SafetensorsHeader.Read(shardPath));
        }
        CheckNamesMatch(indexPath, index, shardNames, shards);
        return new ShardedCheckpoint(indexPath, shards, index.Metadata);
    }

    private static void CheckNamesMatch(string indexPath, ShardIndexFile index, string[] shardNames, List<SafetensorsHeader> shards)
    {
        var mapped = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, shard) in index.WeightMap) mapped[name] = shard;
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < shards.Count; i++)
        {
            foreach (var tensor in shards[i].Tensors)
            {
                if (!found.TryAdd(tensor.Name, shardNames[i]))
                {
                    throw ShardIndexFile.Fail(indexPath, "tensor is in two shards",
                        $"'{tensor.Name}' in {found[tensor.Name]} and {shardNames[i]}");
                }
                if (!mapped.TryGetValue(tensor.Name, out var expected))
                    throw ShardIndexFile.Fail(indexPath, "shard has a tensor the index does not list", $"'{tensor.Name}' in {shardNames[i]}");
                if (expected != shardNames[i])
                {
                    throw ShardIndexFile.Fail(indexPath, "tensor is not in the shard the index names",
                        $"'{tensor.Name}' is in {shardNames[i]}, the index says {expected}");
                }
            }
        }
        foreach (var (name, shard) in index.WeightMap)
        {
            if (!found.ContainsKey(name))
                throw ShardIndexFile.Fail(indexPath, "index lists a tensor its shard does not have", $"'{name}' in {shard}");
        }
    }

    /// <summary>The tensor and its shard; throws <see cref="LoraException"/> (<c>TensorNotFound</c>) if absent.</summary>
    public (SafetensorsHeader Shard, TensorInfo Tensor) Find(string tensorName) =>
        _byName.TryGetValue(tensorName, out var hit)
            ? hit
            : throw new LoraException(ErrorCodes.TensorNotFound, $"The checkpoint has no tensor '{tensorName}'.", IndexPath ?? ShardPaths[0]);

    public bool TryFind(string tensorName, [MaybeNullWhen(false)] out SafetensorsHeader shard, [MaybeNullWhen(false)] out TensorInfo tensor)
    {
        var ok = _byName.TryGetValue(tensorName, out var hit);
        (shard, tensor) = hit;
        return ok;
    }
}
