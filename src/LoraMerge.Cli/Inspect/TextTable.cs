namespace LoraMerge.Cli.Inspect;

/// <summary>
/// A left-aligned text table with a header row, optionally trimmed to its first rows. Cells come from files that may be
/// hostile: control characters are escaped (a name cannot move the cursor or forge an "error LORA..." line) and long
/// cells are cut with a marker, so the output grows with the number of cells, not with the length of one name.
/// </summary>
internal sealed class TextTable(params string[] headers)
{
    public const int MaxCellLength = 120;
    private readonly List<string[]> _rows = [];

    public int RowCount => _rows.Count;

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException("Row width differs from the header.", nameof(cells));
        _rows.Add(Array.ConvertAll(cells, Printable));
    }

    /// <param name="maxRows">Rows to print; null prints all. A trimmed table ends with a line saying how many were left out.</param>
    public void Write(TextWriter writer, int? maxRows, string indent = "  ")
    {
        var shown = maxRows is { } max && max < _rows.Count ? _rows.Take(max).ToList() : _rows;
        var widths = new int[headers.Length];
        for (int c = 0; c < headers.Length; c++)
            widths[c] = Math.Max(headers[c].Length, shown.Count == 0 ? 0 : shown.Max(r => r[c].Length));

        WriteRow(writer, indent, headers, widths);
        foreach (var row in shown) WriteRow(writer, indent, row, widths);
        if (shown.Count < _rows.Count)
            writer.WriteLine($"{indent}... {_rows.Count - shown.Count} more (use --all to list every row)");
    }

    private static void WriteRow(TextWriter writer, string indent, string[] cells, int[] widths)
    {
        var padded = cells.Select((cell, c) => c == cells.Length - 1 ? cell : cell.PadRight(widths[c]));
        writer.WriteLine(indent + string.Join("  ", padded).TrimEnd());
    }

    /// <summary>The cell with C0/C1 controls, DEL and bidirectional overrides as <c>\uXXXX</c>, cut to <see cref="MaxCellLength"/>.</summary>
    internal static string Printable(string cell)
    {
        var text = new System.Text.StringBuilder(Math.Min(cell.Length, MaxCellLength) + 16);
        int i = 0;
        for (; i < cell.Length && text.Length < MaxCellLength; i++)
        {
            char c = cell[i];
            bool unsafeChar = char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';
            if (unsafeChar)
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            else
                text.Append(c);
        }
        if (i < cell.Length)
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"...[{cell.Length} chars]");
        return text.ToString();
    }
}
