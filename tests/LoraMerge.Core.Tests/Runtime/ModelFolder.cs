using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using LoraMerge.Formats;
using LoraMerge.Runtime;

namespace LoraMerge.Core.Tests.Runtime;

/// <summary>Writes a real model folder (safetensors files + lora-merge.json) and the matching compiled description.</summary>
internal sealed class ModelFolder : IDisposable
{
    public const string Fingerprint = "3f2a9c0d5e6b7a8190aabbccddeeff00112233445566778899aabbccddeeff01";

    public ModelFolder()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("lora-runtime-").FullName;
    }

    public string Directory { get; }

    public List<(string File, string Name, DType DType, long[] Shape, byte[] Data)> Tensors { get; } = new();

    public static byte[] Bytes<T>(params T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public ModelFolder Add(string file, string name, DType dtype, long[] shape, byte[] data)
    {
        Tensors.Add((file, name, dtype, shape, data));
        return this;
    }

    /// <summary>A Llama-ish set: F32, BF16, F16 and F64 tensors in model.safetensors.</summary>
    public static ModelFolder Standard() => new ModelFolder()
        .Add("model.safetensors", "model.embed_tokens.weight", DType.F32, [2, 3], Bytes(1f, 2f, 3f, 4f, 5f, -6f))
        .Add("model.safetensors", "model.layers.0.self_attn.q_proj.weight", DType.BF16, [2, 2], Bytes<ushort>(0x3F80, 0x4000, 0xBF80, 0x4040))
        .Add("model.safetensors", "model.norm.weight", DType.F16, [2], Bytes((Half)0.5f, (Half)(-2f)))
        .Add("model.safetensors", "lm_head.weight", DType.F64, [2], Bytes(0.25, 1e10));

    public ModelDescription Description(string fingerprint = Fingerprint, bool embedded = false, string artifact = "models/Test") =>
        new("Test", artifact, embedded, fingerprint,
            Tensors.Select(t => new TensorDescription(t.Name, t.DType, t.Shape, t.File)).ToArray());

    /// <summary>Writes every file and a lora-merge.json with the fingerprint and each file's sha256.</summary>
    public ModelFolder Write(string? fingerprint = Fingerprint)
    {
        foreach (var group in Tensors.GroupBy(t => t.File))
        {
            var list = group.ToList();
            var path = Path.Combine(Directory, group.Key);
            using var writer = SafetensorsWriter.Create(path, list.Select(t => new TensorSpec(t.Name, t.DType, t.Shape)).ToList(), null);
            for (var i = 0; i < list.Count; i++) writer.WriteTensor(i, list[i].Data);
            writer.Commit();
        }
        WriteMetadata(fingerprint);
        return this;
    }

    public void WriteMetadata(string? fingerprint)
    {
        var json = new StringBuilder("{");
        if (fingerprint is not null) json.Append($"\"fingerprint\": \"{fingerprint}\", ");
        json.Append("\"outputs\": [");
        json.Append(string.Join(", ", Tensors.Select(t => t.File).Distinct().Select(f =>
            $"{{\"path\": \"{f}\", \"sha256\": \"{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Directory, f))))}\"}}")));
        json.Append("]}");
        File.WriteAllText(Path.Combine(Directory, ModelDescription.MetadataFileName), json.ToString());
    }

    public string PathOf(string file) => Path.Combine(Directory, file);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A test that failed may still hold a mapping open; the temp folder is then left behind.
        }
    }
}
