using LoraMerge.Formats;

namespace LoraMerge.Merging;

/// <summary>
/// Rows that an adapter supplies whole: every row (modules_to_save, trained biases, saved embeddings) or the listed
/// token rows (trainable tokens). PEFT loads such tensors into the base layer, so their values are first rounded to
/// the base dtype (as load_state_dict does); any LoRA delta is then added on top and rounded once more.
/// </summary>
internal sealed class ReplacementRows
{
    private readonly float[] _values;
    private readonly int _columns;
    private readonly Dictionary<long, int>? _rowOfIndex;

    private ReplacementRows(float[] values, int columns, Dictionary<long, int>? rowOfIndex)
    {
        _values = values;
        _columns = columns;
        _rowOfIndex = rowOfIndex;
    }

    public static ReplacementRows? Load(ReplacementSource? source, IReadOnlyList<SafetensorsFile> adapterFiles, DType baseDType, long columns)
    {
        if (source is null)
            return null;
        var values = FloatReader.ReadAll(adapterFiles[source.AdapterIndex], source.Source);
        if (baseDType != DType.F32)
        {
            var stored = new byte[values.Length * DTypes.SizeOf(baseDType)];
            FloatReader.Narrow(baseDType, values, stored);
            FloatReader.Widen(baseDType, stored, values, adapterFiles[source.AdapterIndex].FilePath, source.Source.Name);
        }
        Dictionary<long, int>? map = null;
        if (source.RowIndices is { } indices)
        {
            map = new Dictionary<long, int>(indices.Length);
            for (int i = 0; i < indices.Length; i++)
                map[indices[i]] = i; // a repeated index keeps its last row, as index_copy does
        }
        return new ReplacementRows(values, checked((int)columns), map);
    }

    public bool TryGetRow(long row, Span<float> destination)
    {
        int sourceRow;
        if (_rowOfIndex is null)
            sourceRow = checked((int)row);
        else if (!_rowOfIndex.TryGetValue(row, out sourceRow))
            return false;
        _values.AsSpan(sourceRow * _columns, _columns).CopyTo(destination);
        return true;
    }
}
