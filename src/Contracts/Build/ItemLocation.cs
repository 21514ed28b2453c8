namespace LoraMerge.Requests;

/// <summary>Where a <c>&lt;LoraAdapter&gt;</c> item was written: the project file and, when it was found, the line and column.</summary>
public readonly record struct ItemLocation(string File, int Line, int Column)
{
    public static ItemLocation FileOnly(string file) => new(file, 0, 0);
}
