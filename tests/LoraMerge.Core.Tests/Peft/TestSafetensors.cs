using System.Buffers.Binary;
using System.Text;

namespace LoraMerge.Core.Tests.Peft;

/// <summary>Writes small zero-filled safetensors files for folder-layout tests (only the header matters to them).</summary>
internal static class TestSafetensors
{
    public static void Write(string path, params (string Name, string DType, long[] Shape)[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        for (int i = 0; i < tensors.Length; i++)
        {
            var (name, dtype, shape) = tensors[i];
            long bytes = SizeOf(dtype);
            foreach (var d in shape) bytes *= d;
            if (i > 0) header.Append(',');
            header.Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }
        header.Append('}');
        while (header.Length % 8 != 0) header.Append(' ');

        byte[] json = Encoding.UTF8.GetBytes(header.ToString());
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, json.Length);
        stream.Write(length);
        stream.Write(json);
        stream.Write(new byte[offset]);
    }

    private static long SizeOf(string dtype) => dtype switch
    {
        "F32" or "I32" => 4,
        "F16" or "BF16" => 2,
        "I64" or "F64" => 8,
        _ => 1,
    };
}
