using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using LoraMerge.Merging;

namespace LoraMerge.Formats;

/// <summary>How tensors are split into shard files, what the shards are called, and the index that lists them.</summary>
public static class ShardLayout
{
    /// <summary>
    /// Hugging Face's rule, in the given order: start a new shard when adding a tensor would take the current one over
    /// <paramref name="maxShardBytes"/>; a tensor larger than the budget gets a shard of its own. Always at least one shard.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<TensorSpec>> ByByteBudget(IReadOnlyList<TensorSpec> tensors, long maxShardBytes)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        var shards = new List<IReadOnlyList<TensorSpec>>();
        var current = new List<TensorSpec>();
        long currentBytes = 0;
        foreach (var tensor in tensors)
        {
            if (current.Count > 0 && currentBytes + tensor.ByteLength > maxShardBytes)
            {
                shards.Add(current);
                current = [];
                currentBytes = 0;
            }
            current.Add(tensor);
            currentBytes += tensor.ByteLength;
        }
        if (current.Count > 0 || shards.Count == 0) shards.Add(current);
        return shards;
    }

    /// <summary>The same shards, with the same tensors in the same order, as an existing checkpoint.</summary>
    public static IReadOnlyList<IReadOnlyList<TensorSpec>> Mirror(ShardedCheckpoint source) =>
        source.Shards.Select(s => (IReadOnlyList<TensorSpec>)s.Tensors.Select(TensorSpec.From).ToArray()).ToArray();

    /// <summary><c>model-00001-of-00003.safetensors</c>; a single shard is <c>model.safetensors</c>.</summary>
    public static string ShardFileName(int index1, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index1, count);
        return count == 1 ? ShardedCheckpoint.SingleFileName : $"model-{index1:D5}-of-{count:D5}.safetensors";
    }

    /// <summary>
    /// Writes <c>model.safetensors.index.json</c> as Hugging Face does (two-space indent, sorted keys, trailing newline):
    /// <c>metadata.total_size</c> as a number plus the other metadata as strings, then <c>weight_map</c>. Temp file + rename.
    /// </summary>
    public static void WriteIndex(string path, long totalSize, IReadOnlyDictionary<string, string> weightMap, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(weightMap);
        var bytes = RenderIndex(totalSize, weightMap, metadata);
        var fullPath = Path.GetFullPath(path);
        var tempPath = $"{fullPath}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(tempPath);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Best effort.
            }
            throw OutputErrors.From(ex, fullPath);
        }
    }

    internal static byte[] RenderIndex(long totalSize, IReadOnlyDictionary<string, string> weightMap, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var options = new JsonWriterOptions
        {
            Indented = true,
            IndentSize = 2,
            NewLine = "\n",
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("metadata");
            var keys = (metadata?.Keys ?? []).Where(k => k != "total_size").Append("total_size").Order(StringComparer.Ordinal);
            foreach (var key in keys)
            {
                if (key == "total_size") writer.WriteNumber(key, totalSize);
                else writer.WriteString(key, metadata![key]);
            }
            writer.WriteEndObject();
            writer.WriteStartObject("weight_map");
            foreach (var name in weightMap.Keys.Order(StringComparer.Ordinal)) writer.WriteString(name, weightMap[name]);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}
