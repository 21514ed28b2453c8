namespace LoraMerge.Tasks.Items;

/// <summary>Where an item was written: the project file and, when it could be found, the line and column.</summary>
internal readonly record struct ItemLocation(string File, int Line, int Column)
{
    public static ItemLocation FileOnly(string file) => new(file, 0, 0);
}
