namespace AppWithAdapters.Inference;

/// <summary>cos/sin of position · inv_freq for every position, as transformers' default rotary embedding
/// computes them (f32 product, HF rotate_half layout: pairs are (i, i + headDim/2)).</summary>
internal sealed class RotaryTable
{
    private readonly float[] _cos;
    private readonly float[] _sin;
    private readonly int _half;

    public RotaryTable(int headDim, int maxPositions, double theta)
    {
        _half = headDim / 2;
        _cos = new float[maxPositions * _half];
        _sin = new float[maxPositions * _half];
        for (int i = 0; i < _half; i++)
        {
            float invFreq = (float)(1.0 / Math.Pow(theta, 2.0 * i / headDim));
            for (int p = 0; p < maxPositions; p++)
            {
                float angle = p * invFreq;
                _cos[p * _half + i] = (float)Math.Cos(angle);
                _sin[p * _half + i] = (float)Math.Sin(angle);
            }
        }
    }

    /// <summary>Rotates one head vector in place for the given position.</summary>
    public void Apply(Span<float> head, int position)
    {
        var cos = _cos.AsSpan(position * _half, _half);
        var sin = _sin.AsSpan(position * _half, _half);
        for (int i = 0; i < _half; i++)
        {
            float x1 = head[i];
            float x2 = head[i + _half];
            head[i] = x1 * cos[i] - x2 * sin[i];
            head[i + _half] = x2 * cos[i] + x1 * sin[i];
        }
    }
}
