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
        };
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
