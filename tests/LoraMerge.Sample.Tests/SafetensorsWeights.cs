using AppWithAdapters.Inference;
using LoraMerge.Formats;

namespace LoraMerge.Sample.Tests;

/// <summary>Serves f32 tensors straight out of a memory-mapped safetensors file.</summary>
internal sealed class SafetensorsWeights(string path) : IWeights, IDisposable
{
    private readonly SafetensorsFile _file = SafetensorsFile.Open(path);

    public ReadOnlySpan<float> Get(string name)
    {
        var info = _file.Header.Find(name) ?? throw new KeyNotFoundException($"No tensor '{name}' in {_file.FilePath}.");
        if (info.DType != DType.F32)
        {
            throw new InvalidOperationException($"Tensor '{name}' is {info.DType}; the sample reads F32 only.");
        }

        return _file.GetSpan<float>(info);
    }

    public IEnumerable<string> Names => _file.Header.Tensors.Select(t => t.Name);

    public void Dispose() => _file.Dispose();
}
