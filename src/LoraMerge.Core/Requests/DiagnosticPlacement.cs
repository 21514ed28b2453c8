namespace LoraMerge.Requests;

/// <summary>
/// Where a build reports an engine diagnostic: at the model or adapter file at fault when the engine names one (with
/// <c>[item at App.csproj(line,col)]</c> in the message), else at the <c>&lt;LoraAdapter&gt;</c> item itself. Used by the
/// tasks and by <c>lora-merge merge --request</c>, so both place a code the same way.
/// </summary>
public readonly record struct DiagnosticPlacement(string File, int Line, int Column, string Message)
{
    public static DiagnosticPlacement Of(string? filePath, string message, ItemLocation item, string subject)
    {
        var text = $"{subject}: {message}{AtItem(filePath, item)}";
        return string.IsNullOrEmpty(filePath)
            ? new DiagnosticPlacement(item.File, item.Line, item.Column, text)
            : new DiagnosticPlacement(filePath, 0, 0, text);
    }

    /// <summary>MSBuild's canonical form (<c>file(line,col): error CODE: message</c>), which ToolTask turns back into an error.</summary>
    public string Canonical(string category, string code)
    {
        var origin = File.Length == 0 ? "lora-merge" : Line > 0 ? $"{File}({Line},{Column})" : File;
        return $"{origin} : {category} {code}: {Message.Replace('\n', ' ').Replace('\r', ' ')}";
    }

    private static string AtItem(string? filePath, ItemLocation item)
    {
        if (string.IsNullOrEmpty(filePath) || string.IsNullOrEmpty(item.File)) return "";
        return item.Line > 0 ? $" [item at {item.File}({item.Line},{item.Column})]" : $" [item in {item.File}]";
    }
}
