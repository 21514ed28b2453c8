using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LoraMerge.Diagnostics;
using LoraMerge.Runtime;

namespace LoraMerge.Core.Tests.Runtime;

/// <summary>The embedded-resource path, with resources served from native memory as the runtime serves them.</summary>
public sealed unsafe class EmbeddedModelTests : IDisposable
{
    private readonly List<nint> _allocations = new();

    public void Dispose()
    {
        foreach (var p in _allocations) NativeMemory.Free((void*)p);
    }

    private Func<string, Stream?> Resources(ModelFolder folder, List<string> requested, out (nint Start, long Length) weightsMemory)
    {
        var map = new Dictionary<string, (nint, long)>();
        weightsMemory = default;
        foreach (var path in Directory.GetFiles(folder.Directory))
        {
            var bytes = File.ReadAllBytes(path);
            var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
            _allocations.Add((nint)p);
            bytes.CopyTo(new Span<byte>(p, bytes.Length));
            var name = "LoraMerge/Test/" + Path.GetFileName(path);
            map[name] = ((nint)p, bytes.Length);
            if (name.EndsWith(".safetensors", StringComparison.Ordinal)) weightsMemory = ((nint)p, bytes.Length);
        }
        return name =>
        {
            requested.Add(name);
            return map.TryGetValue(name, out var r) ? new UnmanagedMemoryStream((byte*)r.Item1, r.Item2) : null;
        };
    }

    [Fact]
    public void Embedded_weights_are_read_in_place_from_resources_named_by_the_contract()
    {
        using var folder = ModelFolder.Standard().Write();
        var requested = new List<string>();
        var open = Resources(folder, requested, out var memory);

        using var weights = ModelWeights.OpenResources(folder.Description(embedded: true), open, "test resources", verifyHashes: true);

        Assert.Contains("LoraMerge/Test/lora-merge.json", requested);
        Assert.Contains("LoraMerge/Test/model.safetensors", requested);
        var data = weights.Tensors[0].Data;
        var address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(data));
        Assert.InRange(address, memory.Start, memory.Start + (nint)memory.Length - data.Length);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, -6f }, weights.Tensors[0].AsFloat32().ToArray());
        Assert.Equal(new[] { 1f, 2f, -1f, 3f }, weights.Tensors[1].ToFloat32Array());
    }

    [Fact]
    public void Missing_resource_fails_naming_the_resource()
    {
        using var folder = ModelFolder.Standard().Write();
        File.Delete(folder.PathOf("model.safetensors"));
        var open = Resources(folder, new List<string>(), out _);
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.OpenResources(folder.Description(embedded: true), open, "assembly 'App'"));
        Assert.Equal(ErrorCodes.ModelArtifactMissing, e.Code);
        Assert.Contains("assembly 'App' has no embedded resource 'LoraMerge/Test/model.safetensors'", e.Message);
    }

    [Fact]
    public void Stale_embedded_model_fails()
    {
        using var folder = ModelFolder.Standard().Write(fingerprint: "feed");
        var open = Resources(folder, new List<string>(), out _);
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.OpenResources(folder.Description(embedded: true), open, "assembly 'App'"));
        Assert.Equal(ErrorCodes.ModelArtifactStale, e.Code);
    }

    [Fact]
    public void Truncated_embedded_weights_are_corrupt()
    {
        using var folder = ModelFolder.Standard().Write();
        var path = folder.PathOf("model.safetensors");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^8]);
        var open = Resources(folder, new List<string>(), out _);
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.OpenResources(folder.Description(embedded: true), open, "assembly 'App'"));
        Assert.Equal(ErrorCodes.ModelArtifactCorrupt, e.Code);
    }

    [Fact]
    public void Non_memory_resource_streams_are_refused()
    {
        using var folder = ModelFolder.Standard().Write();
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.OpenResources(folder.Description(embedded: true, fingerprint: ""),
            _ => new MemoryStream(new byte[16]), "assembly 'App'"));
        Assert.Equal(ErrorCodes.ModelArtifactCorrupt, e.Code);
        Assert.Contains("not held in memory", e.Message);
    }
}
