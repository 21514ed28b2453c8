using System.Globalization;

namespace LoraMerge.Cli.Parsing;

/// <summary>
/// Byte counts as Hugging Face writes them: a plain number of bytes, or a number with a unit where decimal units are
/// powers of 1000 (KB, MB, GB, TB) and binary units powers of 1024 (KiB, MiB, GiB, TiB). Units are case-insensitive.
/// </summary>
internal static class ByteSize
{
    private static readonly (string Suffix, long Multiplier)[] Units =
    [
        ("KIB", 1L << 10), ("MIB", 1L << 20), ("GIB", 1L << 30), ("TIB", 1L << 40),
        ("KB", 1_000L), ("MB", 1_000_000L), ("GB", 1_000_000_000L), ("TB", 1_000_000_000_000L),
        ("B", 1L),
    ];

    public const string FormatHelp = "bytes, or a number with KB/MB/GB/TB (powers of 1000) or KiB/MiB/GiB/TiB (powers of 1024)";

    public static bool TryParse(string? text, out long bytes, out string error)
    {
        bytes = 0;
        error = "";
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            error = "a size is required";
            return false;
        }

        long multiplier = 1;
        var number = trimmed;
        foreach (var (suffix, unit) in Units)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                multiplier = unit;
                number = trimmed[..^suffix.Length].TrimEnd();
                break;
            }
        }

        if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            error = $"'{text}' is not a size ({FormatHelp})";
            return false;
        }

        decimal total;
        try
        {
            total = decimal.Round(value * multiplier, MidpointRounding.AwayFromZero);
        }
        catch (OverflowException)
        {
            error = $"'{text}' is too large";
            return false;
        }

        if (total > long.MaxValue)
        {
            error = $"'{text}' is too large";
            return false;
        }
        if (total <= 0)
        {
            error = $"'{text}' must be greater than zero";
            return false;
        }

        bytes = (long)total;
        return true;
    }

    /// <summary>A short human form in decimal units (the units progress and inspect print).</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1_000_000_000 => (bytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB",
        >= 1_000_000 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1_000 => (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
