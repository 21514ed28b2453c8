using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace LoraMerge.Generators.Model;

/// <summary>A position in a manifest file, kept as plain values; turned into a <see cref="Location"/> only when reported.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo From(string filePath, SourceText text, int start, int length)
    {
        var span = new TextSpan(start, length);
        return new LocationInfo(filePath, span, text.Lines.GetLinePositionSpan(span));
    }
}
