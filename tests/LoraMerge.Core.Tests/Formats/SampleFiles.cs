using LoraMerge.Formats;

namespace LoraMerge.Core.Tests.Formats;

/// <summary>Writes well-formed safetensors files whose bytes are a known function of tensor index and position.</summary>
internal static class SampleFiles
{
    public static byte[] BytesFor(int tensorIndex, long length)
    {
        var data = new byte[length];
        for (var i = 0; i < data.Length; i++) data[i] = (byte)(i * 31 + tensorIndex * 7 + 1);
        return data;
    }

    public static IReadOnlyList<TensorInfo> Write(string path, IReadOnlyList<TensorSpec> specs, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var writer = SafetensorsWriter.Create(path, specs, metadata);
        for (var i = 0; i < specs.Count; i++) writer.WriteTensor(i, BytesFor(i, specs[i].ByteLength));
        writer.Commit();
        return writer.Layout;
    }

    public static TensorSpec Spec(string name, DType dtype, params long[] shape) => new(name, dtype, shape);
}
