using System.Numerics.Tensors;

namespace AppWithAdapters.Inference;

/// <summary>Incremental decoding state of one sequence: the per-layer key/value cache and scratch buffers.
/// Each <see cref="Append"/> runs one position through the model and returns its logits.</summary>
public sealed class LlamaSession
{
    private readonly LlamaModel _model;
    private readonly LlamaConfig _c;
    private readonly float[][] _keys;
    private readonly float[][] _values;
    private readonly float[] _x;
    private readonly float[] _normed;
    private readonly float[] _q;
    private readonly float[] _k;
    private readonly float[] _v;
    private readonly float[] _attnOut;
    private readonly float[] _proj;
    private readonly float[] _gate;
    private readonly float[] _up;
    private readonly float[] _sigmoid;
    private readonly float[] _scores;
    private readonly float[] _logits;
    private readonly float _scale;

    internal LlamaSession(LlamaModel model)
    {
        _model = model;
        _c = model.Config;
        int kvWidth = _c.NumKvHeads * _c.HeadDim;
        _keys = new float[_c.NumLayers][];
        _values = new float[_c.NumLayers][];
        for (int l = 0; l < _c.NumLayers; l++)
        {
            _keys[l] = new float[_c.MaxPositions * kvWidth];
            _values[l] = new float[_c.MaxPositions * kvWidth];
        }

        _x = new float[_c.HiddenSize];
        _normed = new float[_c.HiddenSize];
        _q = new float[_c.NumHeads * _c.HeadDim];
        _k = new float[kvWidth];
        _v = new float[kvWidth];
        _attnOut = new float[_c.NumHeads * _c.HeadDim];
        _proj = new float[_c.HiddenSize];
        _gate = new float[_c.IntermediateSize];
        _up = new float[_c.IntermediateSize];
        _sigmoid = new float[_c.IntermediateSize];
        _scores = new float[_c.MaxPositions];
        _logits = new float[_c.VocabSize];
        _scale = 1f / MathF.Sqrt(_c.HeadDim);
    }

    /// <summary>Number of positions already in the cache.</summary>
    public int Length { get; private set; }

    /// <summary>Runs <paramref name="token"/> at the next position; the returned span is valid until the next call.</summary>
    public ReadOnlySpan<float> Append(int token)
    {
        if ((uint)token >= (uint)_c.VocabSize)
        {
            throw new ArgumentOutOfRangeException(nameof(token), token, "Token id is outside the vocabulary.");
        }

        if (Length >= _c.MaxPositions)
        {
            throw new InvalidOperationException($"The context is full ({_c.MaxPositions} positions).");
        }

        int pos = Length;
        _model.Weight("model.embed_tokens.weight").Slice(token * _c.HiddenSize, _c.HiddenSize).CopyTo(_x);
        for (int l = 0; l < _c.NumLayers; l++)
        {
            var names = _model.Layers[l];
            _model.RmsNorm(names.InputNorm, _x, _normed);
            Attention(l, names, pos);
            TensorPrimitives.Add(_x, _proj, _x);

            _model.RmsNorm(names.PostAttentionNorm, _x, _normed);
            _model.Linear(names.Gate, _normed, _gate);
            _model.Linear(names.Up, _normed, _up);
            // SiLU(gate) * up, with SiLU(g) = g * sigmoid(g)
            TensorPrimitives.Sigmoid(_gate, _sigmoid);
            TensorPrimitives.Multiply(_gate, _sigmoid, _gate);
            TensorPrimitives.Multiply(_gate, _up, _gate);
            _model.Linear(names.Down, _gate, _proj);
            TensorPrimitives.Add(_x, _proj, _x);
        }

        _model.RmsNorm("model.norm.weight", _x, _normed);
        _model.Linear(LmHead, _normed, _logits);
        Length = pos + 1;
        return _logits;
    }

    private static readonly LinearName LmHead = new("lm_head");

    /// <summary>Self-attention of position <paramref name="pos"/> over the cache; leaves o_proj's output in _proj.</summary>
    private void Attention(int layer, LlamaModel.LayerNames names, int pos)
    {
        int hd = _c.HeadDim;
        int kvWidth = _c.NumKvHeads * hd;
        int group = _c.NumHeads / _c.NumKvHeads;
        _model.Linear(names.Q, _normed, _q);
        _model.Linear(names.K, _normed, _k);
        _model.Linear(names.V, _normed, _v);
        for (int h = 0; h < _c.NumHeads; h++)
        {
            _model.Rotary.Apply(_q.AsSpan(h * hd, hd), pos);
        }

        for (int h = 0; h < _c.NumKvHeads; h++)
        {
            _model.Rotary.Apply(_k.AsSpan(h * hd, hd), pos);
        }

        var keys = _keys[layer];
        var values = _values[layer];
        _k.CopyTo(keys.AsSpan(pos * kvWidth, kvWidth));
        _v.CopyTo(values.AsSpan(pos * kvWidth, kvWidth));

        var scores = _scores.AsSpan(0, pos + 1);
        for (int h = 0; h < _c.NumHeads; h++)
        {
            // query head h reads kv head h / group (transformers' repeat_kv layout)
            int kvOffset = h / group * hd;
            var q = _q.AsSpan(h * hd, hd);
            for (int t = 0; t <= pos; t++)
            {
                scores[t] = TensorPrimitives.Dot(q, keys.AsSpan(t * kvWidth + kvOffset, hd)) * _scale;
            }

            // softmax with the max subtracted first, so large scores cannot overflow Exp
            TensorPrimitives.Subtract(scores, TensorPrimitives.Max(scores), scores);
            TensorPrimitives.Exp(scores, scores);
            TensorPrimitives.Divide(scores, TensorPrimitives.Sum(scores), scores);
            var output = _attnOut.AsSpan(h * hd, hd);
            output.Clear();
            for (int t = 0; t <= pos; t++)
            {
                TensorPrimitives.MultiplyAdd(values.AsSpan(t * kvWidth + kvOffset, hd), scores[t], output, output);
            }
        }

        _model.Linear(names.O, _attnOut, _proj);
    }
}
