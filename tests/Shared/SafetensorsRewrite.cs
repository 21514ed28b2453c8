using LoraMerge.Formats;

namespace LoraMerge.Tests.Shared;

/// <summary>Rewrites a safetensors file with some tensors in another dtype and some added, their bytes a fixed pattern.</summary>
internal static class SafetensorsRewrite
{
    /// <summary>
    /// <paramref name="retyped"/>: tensors (by name) to store as another dtype, same shape. <paramref name="added"/>:
    /// tensors appended after the rest. Returns every retyped or added tensor's bytes.
    /// </summary>
    public static Dictionary<string, byte[]> Rewrite(string path, IReadOnlyDictionary<string, DType> retyped, IReadOnlyList<TensorSpec> added)
    {
        var specs = new List<TensorSpec>();
        var bytes = new List<byte[]>();
        var patterned = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var file = SafetensorsFile.Open(path))
        {
            foreach (var t in file.Header.Tensors)
            {
                if (retyped.TryGetValue(t.Name, out var dtype))
                {
                    var spec = new TensorSpec(t.Name, dtype, t.Shape);
                    specs.Add(spec);
                    bytes.Add(patterned[t.Name] = Pattern(spec.ByteLength, specs.Count));
                }
                else
                {
                    specs.Add(TensorSpec.From(t));
                    bytes.Add(file.GetBytes(t).ToArray());
                }
            }
        }
        foreach (var spec in added)
        {
            specs.Add(spec);
            bytes.Add(patterned[spec.Name] = Pattern(spec.ByteLength, specs.Count));
        }
        File.Delete(path);
        using var writer = SafetensorsWriter.Create(path, specs, null);
        for (int i = 0; i < specs.Count; i++)
            writer.WriteTensor(i, bytes[i]);
        writer.Commit();
        return patterned;
    }

    private static byte[] Pattern(long length, int seed)
    {
        var data = new byte[length];
        for (int i = 0; i < data.Length; i++)
            data[i] = (byte)(i * 73 + seed * 29 + 5);
        return data;
    }
}
