using AppWithAdapters.Inference;
using LoraMerge.Runtime;

namespace AppWithAdapters;

/// <summary>The forward pass's weights, taken from the generated model class by typed path (no string lookups into the file).</summary>
internal sealed class TypedWeights : IWeights
{
    private readonly Dictionary<string, ModelTensor> _byName = new(StringComparer.Ordinal);

    public TypedWeights(BofhModel model)
    {
        Add(model.Model.EmbedTokens.Weight, model.Model.Norm.Weight, model.LmHead.Weight);
        foreach (var layer in model.Model.Layers)
        {
            Add(layer.InputLayernorm.Weight, layer.PostAttentionLayernorm.Weight,
                layer.SelfAttn.QProj.Weight, layer.SelfAttn.KProj.Weight, layer.SelfAttn.VProj.Weight, layer.SelfAttn.OProj.Weight,
                layer.Mlp.GateProj.Weight, layer.Mlp.UpProj.Weight, layer.Mlp.DownProj.Weight);
        }
    }

    public ReadOnlySpan<float> Get(string name) => _byName[name].AsFloat32();

    private void Add(params ModelTensor[] tensors)
    {
        foreach (var t in tensors)
            _byName.Add(t.Name, t);
    }
}
