namespace LoraMerge.Contracts;

/// <summary>
/// The <c>&lt;LoraAdapter&gt;</c> metadata LoraMerge reads (docs/msbuild.md). The task passes exactly these to the
/// describe step and warns (LORA1907) about any other; <c>lora-merge describe</c> reads them.
/// </summary>
internal static class AdapterMetadata
{
    public const string BaseModel = "BaseModel";
    public const string Merge = "Merge";
    public const string Model = "Model";
    public const string Weight = "Weight";
    public const string SafeMerge = "SafeMerge";
    public const string Embed = "Embed";
    public const string Format = "Format";
    public const string GgufType = "GgufType";
    public const string Rounding = "Rounding";
    public const string Combination = "Combination";
    public const string Density = "Density";
    public const string MajoritySignMethod = "MajoritySignMethod";
    public const string SvdRank = "SvdRank";
    public const string Seed = "Seed";
    public const string Namespace = "Namespace";
    public const string ClassName = "ClassName";
    public const string Access = "Access";

    public static readonly string[] Known =
    {
        BaseModel, Merge, Model, Weight, SafeMerge, Embed, Format, GgufType, Rounding,
        Combination, Density, MajoritySignMethod, SvdRank, Seed,
        Namespace, ClassName, Access,
    };
}
