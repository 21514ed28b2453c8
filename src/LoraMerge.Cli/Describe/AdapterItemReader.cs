using System.Globalization;
using LoraMerge.Contracts;
using LoraMerge.Diagnostics;
using LoraMerge.Gguf;
using LoraMerge.Merging;
using LoraMerge.Requests;

namespace LoraMerge.Cli.Describe;

/// <summary>Turns <c>LoraAdapter</c> items into <see cref="AdapterItem"/>s, applying defaults and checking metadata.</summary>
internal static class AdapterItemReader
{
    public const string BaseModelMetadata = AdapterMetadata.BaseModel;
    public const string MergeMetadata = AdapterMetadata.Merge;
    public const string ModelMetadata = AdapterMetadata.Model;
    public const string WeightMetadata = AdapterMetadata.Weight;
    public const string SafeMergeMetadata = AdapterMetadata.SafeMerge;
    public const string EmbedMetadata = AdapterMetadata.Embed;
    public const string FormatMetadata = AdapterMetadata.Format;
    public const string GgufTypeMetadata = AdapterMetadata.GgufType;
    public const string RoundingMetadata = AdapterMetadata.Rounding;
    public const string CombinationMetadata = AdapterMetadata.Combination;
    public const string DensityMetadata = AdapterMetadata.Density;
    public const string MajoritySignMethodMetadata = AdapterMetadata.MajoritySignMethod;
    public const string SvdRankMetadata = AdapterMetadata.SvdRank;
    public const string SeedMetadata = AdapterMetadata.Seed;

    /// <summary>Reads one item; on failure returns null and adds the problems to <paramref name="errors"/>.</summary>
    /// <remarks>The task resolved <c>Include</c> and <c>BaseModel</c> against the item's defining project.</remarks>
    public static AdapterItem? Read(DescribeItem item, List<ItemError> errors)
    {
        var before = errors.Count;
        var location = item.Location;
        void Fail(string code, string message) => errors.Add(new ItemError(code, message, location));

        var directory = item.Directory;
        if (!System.IO.Directory.Exists(directory))
        {
            Fail(ErrorCodes.AdapterItemMissing,
                $"LoraAdapter '{item.ItemSpec}': the adapter folder '{directory}' does not exist (Include names a PEFT adapter folder holding adapter_config.json).");
        }

        var merge = ReadBool(item, MergeMetadata, true, Fail);
        var safeMerge = ReadBool(item, SafeMergeMetadata, true, Fail);
        var embed = ReadBool(item, EmbedMetadata, false, Fail);
        var weight = ReadWeight(item, Fail);
        var formats = ReadFormat(item, Fail);
        var ggufType = ReadGgufType(item, Fail);
        // A project-wide LoraMergeGgufType reaches every item; it only concerns the models that write a GGUF.
        if (!formats.HasFlag(OutputFormats.Gguf)) ggufType = null;
        var rounding = ReadRounding(item, Fail);
        var generatedClass = ReadClassOptions(item, Fail);
        var combination = ReadCombination(item, Fail);

        var model = item.GetMetadata(ModelMetadata).Trim();
        if (model.Length == 0) model = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        if (!ModelNames.IsValid(model))
        {
            Fail(ErrorCodes.InvalidItemMetadata,
                $"LoraAdapter '{item.ItemSpec}': Model '{model}' is not a valid model name: it names the folder {model}/, so use {ModelNames.Rule} (set Model=\"...\" when the adapter folder's name does not fit).");
        }

        var baseModel = item.BaseModel;
        if (baseModel.Length == 0)
        {
            if (merge)
            {
                Fail(ErrorCodes.BaseModelNotSet,
                    $"LoraAdapter '{item.ItemSpec}': no base model. Set BaseModel=\"path/to/model\" on the item or the LoraBaseModel property (a Hugging Face model folder).");
            }
        }

        if (errors.Count > before) return null;
        return new AdapterItem(
            item.ItemSpec, Path.TrimEndingDirectorySeparator(directory), model, baseModel, merge, weight, safeMerge, embed, formats, ggufType, location)
        {
            Rounding = rounding,
            Class = generatedClass,
            Combination = combination,
        };
    }

    /// <summary><c>Combination</c> and its parameters (PEFT's add_weighted_adapter); null without <c>Combination</c>.</summary>
    private static AdapterCombination? ReadCombination(DescribeItem item, Action<string, string> fail)
    {
        string Text(string name) => item.GetMetadata(name).Trim();
        var typeText = Text(CombinationMetadata);
        if (typeText.Length == 0)
        {
            foreach (var name in new[] { DensityMetadata, MajoritySignMethodMetadata, SvdRankMetadata, SeedMetadata })
                if (Text(name).Length > 0)
                    fail(ErrorCodes.InvalidItemMetadata, $"LoraAdapter '{item.ItemSpec}': {name}=\"{Text(name)}\" applies to a Combination only; set Combination=\"...\" too.");
            return null;
        }
        if (!CombinationTypes.TryParse(typeText, out var type))
        {
            fail(ErrorCodes.InvalidItemMetadata, $"LoraAdapter '{item.ItemSpec}': {CombinationMetadata}=\"{typeText}\" must be one of {string.Join(", ", CombinationTypes.Names)}.");
            return null;
        }
        double? density = null;
        if (Text(DensityMetadata) is { Length: > 0 } densityText)
        {
            if (double.TryParse(densityText, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && d >= 0) density = d;
            else fail(ErrorCodes.InvalidItemMetadata, $"LoraAdapter '{item.ItemSpec}': {DensityMetadata}=\"{densityText}\" must be a number of 0 or more written with '.' (e.g. 0.5).");
        }
        var sign = MajoritySignMethod.Total;
        if (Text(MajoritySignMethodMetadata) is { Length: > 0 } signText && !CombinationTypes.TryParseSignMethod(signText, out sign))
            fail(ErrorCodes.InvalidItemMetadata, $"LoraAdapter '{item.ItemSpec}': {MajoritySignMethodMetadata}=\"{signText}\" must be total or frequency.");
        int? svdRank = null;
        if (Text(SvdRankMetadata) is { Length: > 0 } rankText)
        {
            if (int.TryParse(rankText, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0) svdRank = r;
            else fail(ErrorCodes.InvalidItemMetadata, $"LoraAdapter '{item.ItemSpec}': {SvdRankMetadata}=\"{rankText}\" must be a positive whole number.");
        }
        ulong seed = AdapterCombination.DefaultSeed;
        if (Text(SeedMetadata) is { Length: > 0 } seedText && !ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
            fail(ErrorCodes.InvalidItemMetadata, $"LoraAdapter '{item.ItemSpec}': {SeedMetadata}=\"{seedText}\" must be a whole number from 0 to 18446744073709551615.");
        return new AdapterCombination(type, density, sign, svdRank, seed);
    }

    /// <summary><c>Namespace</c>, <c>ClassName</c> and <c>Access</c>, checked against the rules the generator applies.</summary>
    private static GeneratedClassOptions ReadClassOptions(DescribeItem item, Action<string, string> fail)
    {
        string? Optional(string name) => item.GetMetadata(name).Trim() is { Length: > 0 } text ? text : null;
        var classNamespace = Optional(AdapterMetadata.Namespace);
        if (classNamespace is not null && !ModelNames.IsValidNamespace(classNamespace))
            fail(ErrorCodes.InvalidItemMetadata, $"LoraAdapter '{item.ItemSpec}': Namespace=\"{classNamespace}\" must be {ModelNames.NamespaceRule}.");
        var className = Optional(AdapterMetadata.ClassName);
        if (className is not null && !ModelNames.IsValidClassName(className))
            fail(ErrorCodes.InvalidItemMetadata, $"LoraAdapter '{item.ItemSpec}': ClassName=\"{className}\" must be {ModelNames.ClassNameRule}.");
        var access = Optional(AdapterMetadata.Access) ?? ManifestSchema.PublicAccess;
        if (!access.Equals(ManifestSchema.PublicAccess, StringComparison.OrdinalIgnoreCase) && !access.Equals(ManifestSchema.InternalAccess, StringComparison.OrdinalIgnoreCase))
            fail(ErrorCodes.InvalidItemMetadata, $"LoraAdapter '{item.ItemSpec}': Access=\"{access}\" must be public or internal.");
        return new GeneratedClassOptions(classNamespace, className, access.Equals(ManifestSchema.InternalAccess, StringComparison.OrdinalIgnoreCase));
    }

    private static bool ReadBool(DescribeItem item, string name, bool defaultValue, Action<string, string> fail)
    {
        var text = item.GetMetadata(name).Trim();
        if (text.Length == 0) return defaultValue;
        if (bool.TryParse(text, out var value)) return value;
        fail(ErrorCodes.InvalidItemMetadata, $"LoraAdapter '{item.ItemSpec}': {name}=\"{text}\" must be true or false.");
        return defaultValue;
    }

    private static LoraMerge.Merging.MergeRounding ReadRounding(DescribeItem item, Action<string, string> fail)
    {
        var text = item.GetMetadata(RoundingMetadata).Trim();
        if (text.Length == 0 || text.Equals("single", StringComparison.OrdinalIgnoreCase)) return LoraMerge.Merging.MergeRounding.Single;
        if (text.Equals("peft", StringComparison.OrdinalIgnoreCase)) return LoraMerge.Merging.MergeRounding.Peft;
        fail(ErrorCodes.InvalidItemMetadata, $"LoraAdapter '{item.ItemSpec}': {RoundingMetadata}=\"{text}\" must be single or peft.");
        return LoraMerge.Merging.MergeRounding.Single;
    }

    private static double ReadWeight(DescribeItem item, Action<string, string> fail)
    {
        var text = item.GetMetadata(WeightMetadata).Trim();
        if (text.Length == 0) return 1.0;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) && double.IsFinite(weight))
            return weight;
        fail(ErrorCodes.InvalidItemMetadata,
            $"LoraAdapter '{item.ItemSpec}': Weight=\"{text}\" must be a finite number written with '.' as the decimal separator (e.g. 0.5).");
        return 1.0;
    }

    private static OutputFormats ReadFormat(DescribeItem item, Action<string, string> fail)
    {
        var text = item.GetMetadata(FormatMetadata).Trim();
        if (OutputFormatNames.TryParse(text, out var formats)) return formats;
        fail(ErrorCodes.InvalidItemMetadata,
            $"LoraAdapter '{item.ItemSpec}': Format=\"{text}\" must be {OutputFormatNames.Accepted}.");
        return OutputFormats.Safetensors;
    }

    private static GgufTensorType? ReadGgufType(DescribeItem item, Action<string, string> fail)
    {
        var text = item.GetMetadata(GgufTypeMetadata).Trim();
        if (text.Length == 0) return null;
        if (GgufTensorTypes.TryParse(text, out var type)) return type;
        fail(ErrorCodes.InvalidGgufType,
            $"LoraAdapter '{item.ItemSpec}': GgufType=\"{text}\" must be one of {string.Join(", ", GgufTensorTypes.Names)}, or empty for the base model's own float type.");
        return null;
    }
}
