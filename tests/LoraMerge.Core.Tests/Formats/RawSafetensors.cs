using System.Buffers.Binary;
using System.Text;
using LoraMerge.Formats;

namespace LoraMerge.Core.Tests.Formats;

/// <summary>Builds safetensors files byte by byte, so tests can break any part of them.</summary>
internal static class RawSafetensors
{
    /// <summary>Writes the length prefix (N = header bytes unless <paramref name="declaredLength"/> says otherwise), the header and the data.</summary>
    public static string Write(string path, string headerJson, int dataLength, ulong? declaredLength = null) =>
        Write(path, Encoding.UTF8.GetBytes(headerJson), Filler(dataLength), declaredLength);

    public static string Write(string path, byte[] header, byte[] data, ulong? declaredLength = null)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static byte[] Filler(int length)
    {
        var data = new byte[length];
        for (var i = 0; i < length; i++) data[i] = (byte)(i * 37 + 11);
        return data;
    }

    /// <summary>Asserts the failure's code, reason, file and (when given) tensor.</summary>
    public static SafetensorsFormatException AssertFails(Action act, string code, string reason, string path, string? tensor = null)
    {
        var ex = Assert.Throws<SafetensorsFormatException>(act);
        Assert.Equal(code, ex.Code);
        Assert.Equal(reason, ex.Reason);
        Assert.Equal(Path.GetFullPath(path), ex.FilePath);
        Assert.Equal(tensor, ex.TensorName);
        Assert.Contains(reason, ex.Message);
        if (tensor is not null) Assert.Contains($"'{tensor}'", ex.Message);
        return ex;
    }
}
