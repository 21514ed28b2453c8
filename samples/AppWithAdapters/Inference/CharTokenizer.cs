using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AppWithAdapters.Inference;

/// <summary>The sample model's character tokenizer: vocab.json maps single characters (and the special
/// <c>&lt;unk&gt;</c> and <c>&lt;s&gt;</c> tokens) to ids. Text is normalised as in training: tabs expanded to
/// 8 columns, NFKD with combining marks removed, unknown characters to &lt;unk&gt;.</summary>
public sealed class CharTokenizer
{
    private readonly Dictionary<char, int> _ids = new();
    private readonly string?[] _pieces;

    private CharTokenizer(IReadOnlyDictionary<string, int> vocab)
    {
        int size = vocab.Values.Max() + 1;
        _pieces = new string?[size];
        foreach (var (piece, id) in vocab)
        {
            _pieces[id] = piece;
            if (piece.Length == 1)
            {
                _ids[piece[0]] = id;
            }
        }

        UnknownId = vocab.TryGetValue("<unk>", out int unk) ? unk : throw new FormatException("vocab.json has no <unk>.");
        SeparatorId = vocab.TryGetValue("<s>", out int bos) ? bos : throw new FormatException("vocab.json has no <s>.");
    }

    public int VocabSize => _pieces.Length;

    public int UnknownId { get; }

    /// <summary>Begins and ends every document (bos_token_id = eos_token_id).</summary>
    public int SeparatorId { get; }

    public static CharTokenizer FromVocabJson(string vocabJson)
    {
        using var doc = JsonDocument.Parse(vocabJson);
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            vocab[entry.Name] = entry.Value.GetInt32();
        }

        return new CharTokenizer(vocab);
    }

    public static CharTokenizer FromFile(string vocabJsonPath) => FromVocabJson(File.ReadAllText(vocabJsonPath));

    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string normal = Normalize(text);
        var ids = new int[normal.Length];
        for (int i = 0; i < normal.Length; i++)
        {
            ids[i] = _ids.TryGetValue(normal[i], out int id) ? id : UnknownId;
        }

        return ids;
    }

    /// <summary>Separators decode to nothing and &lt;unk&gt; to '?'.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sb = new StringBuilder();
        foreach (int id in ids)
        {
            if (id == SeparatorId)
            {
                continue;
            }

            string? piece = (uint)id < (uint)_pieces.Length ? _pieces[id] : null;
            sb.Append(id == UnknownId || piece is null ? "?" : piece);
        }

        return sb.ToString();
    }

    private static string Normalize(string text)
    {
        var expanded = new StringBuilder(text.Length);
        int column = 0;
        foreach (char ch in text)
        {
            if (ch == '\r')
            {
                continue;
            }

            if (ch == '\t')
            {
                int spaces = 8 - column % 8;
                expanded.Append(' ', spaces);
                column += spaces;
                continue;
            }

            expanded.Append(ch);
            column = ch == '\n' ? 0 : column + 1;
        }

        string decomposed = expanded.ToString().Normalize(NormalizationForm.FormKD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (char ch in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) != UnicodeCategory.NonSpacingMark)
            {
                sb.Append(ch);
            }
        }

        return sb.ToString();
    }
}
