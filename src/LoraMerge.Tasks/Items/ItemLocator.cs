using System.Xml;
using Microsoft.Build.Framework;

namespace LoraMerge.Tasks.Items;

/// <summary>
/// Finds the line of the <c>&lt;LoraAdapter Include="..."&gt;</c> element that defined an item, so errors point at it.
/// MSBuild gives tasks the defining project (<c>DefiningProjectFullPath</c>) but no line; the element is found by
/// matching its <c>Include</c> text against the item spec. Includes built from properties or globs are not matched:
/// those items get the project file without a line.
/// </summary>
internal sealed class ItemLocator
{
    private readonly string _fallbackProject;
    private readonly Dictionary<string, List<(string Include, int Line, int Column)>> _elementsByFile =
        new(StringComparer.OrdinalIgnoreCase);

    public ItemLocator(string fallbackProject) => _fallbackProject = fallbackProject;

    public ItemLocation Locate(ITaskItem item)
    {
        var project = item.GetMetadata("DefiningProjectFullPath");
        if (string.IsNullOrEmpty(project)) project = _fallbackProject;
        if (string.IsNullOrEmpty(project) || !File.Exists(project)) return ItemLocation.FileOnly(project);

        var wanted = Normalize(item.ItemSpec);
        foreach (var element in ElementsOf(project))
        {
            if (Normalize(element.Include) == wanted) return new ItemLocation(project, element.Line, element.Column);
        }
        return ItemLocation.FileOnly(project);
    }

    private List<(string Include, int Line, int Column)> ElementsOf(string project)
    {
        if (_elementsByFile.TryGetValue(project, out var cached)) return cached;
        var found = new List<(string, int, int)>();
        try
        {
            using var reader = XmlReader.Create(project, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            var lineInfo = (IXmlLineInfo)reader;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "LoraAdapter") continue;
                var line = lineInfo.LineNumber;
                var column = lineInfo.LinePosition;
                var include = reader.GetAttribute("Include");
                if (include is null) continue;
                foreach (var part in include.Split(';'))
                {
                    if (part.Trim().Length > 0) found.Add((part.Trim(), line, column));
                }
            }
        }
        catch (XmlException)
        {
            // The project was evaluated, so it is well-formed; an unreadable file only costs the line number.
        }
        catch (IOException)
        {
        }
        _elementsByFile[project] = found;
        return found;
    }

    private static string Normalize(string spec) => spec.Trim().Replace('\\', '/').TrimEnd('/');
}
