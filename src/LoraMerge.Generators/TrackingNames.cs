namespace LoraMerge.Generators;

/// <summary>Names of the pipeline steps, for incrementality tests.</summary>
internal static class TrackingNames
{
    public const string Settings = nameof(Settings);
    public const string Parse = nameof(Parse);
    public const string Specs = nameof(Specs);
    public const string Duplicates = nameof(Duplicates);
    public const string Emit = nameof(Emit);
}
