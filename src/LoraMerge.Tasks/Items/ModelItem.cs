using System.Globalization;
using LoraMerge.Gguf;
using LoraMerge.Merging;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace LoraMerge.Tasks.Items;

/// <summary>
/// The <c>LoraModel</c> items the describe task outputs and the merge task reads: one per merged model, carrying
/// everything the merge needs so the merge target can batch and skip per model.
/// </summary>
internal static class ModelItem
{
    public const string BaseModel = "BaseModel";
    public const string AdapterDirectories = "AdapterDirectories";
    public const string Weights = "Weights";
    public const string SafeMerge = "SafeMerge";
    public const string Embed = "Embed";
    public const string Format = "Format";
    public const string GgufType = "GgufType";
    public const string Rounding = "Rounding";
    public const string OutputDirectory = "OutputDirectory";
    public const string MergeReport = "MergeReport";
    public const string InputFiles = "InputFiles";
    public const string Manifest = "Manifest";
    public const string RelativeDirectory = "RelativeDirectory";
    public const string WarningsFile = "WarningsFile";
    public const string ItemFile = "ItemFile";
    public const string ItemLine = "ItemLine";
    public const string ItemColumn = "ItemColumn";

    // '|' cannot appear in Windows paths and separates list values inside one metadata value.
    private const char ListSeparator = '|';

    public static TaskItem Create(ModelRequest model, ModelPaths paths, IEnumerable<string> inputFiles)
    {
        var item = new TaskItem(model.Name);
        item.SetMetadata(BaseModel, model.BaseModel);
        item.SetMetadata(AdapterDirectories, string.Join(ListSeparator, model.Adapters.Select(a => a.Directory)));
        item.SetMetadata(Weights, string.Join(ListSeparator, model.Adapters.Select(a => a.Weight.ToString("R", CultureInfo.InvariantCulture))));
        item.SetMetadata(SafeMerge, model.SafeMerge ? "true" : "false");
        item.SetMetadata(Embed, model.Embed ? "true" : "false");
        item.SetMetadata(Format, OutputFormatMetadata.Name(model.Formats));
        item.SetMetadata(GgufType, model.GgufType is { } type ? GgufTensorTypes.Name(type) : "");
        item.SetMetadata(Rounding, model.Rounding == MergeRounding.Peft ? "peft" : "single");
        item.SetMetadata(OutputDirectory, paths.OutputDirectory + Path.DirectorySeparatorChar);
        item.SetMetadata(MergeReport, paths.MergeReport);
        // Semicolons separate the files when the merge target expands this into its Inputs.
        item.SetMetadata(InputFiles, string.Join(';', inputFiles));
        item.SetMetadata(Manifest, paths.Manifest);
        item.SetMetadata(RelativeDirectory, paths.RelativeDirectory);
        item.SetMetadata(WarningsFile, paths.Warnings);
        item.SetMetadata(ItemFile, model.Location.File);
        item.SetMetadata(ItemLine, model.Location.Line.ToString(CultureInfo.InvariantCulture));
        item.SetMetadata(ItemColumn, model.Location.Column.ToString(CultureInfo.InvariantCulture));
        return item;
    }

    public static string Name(ITaskItem item) => item.ItemSpec;

    public static ItemLocation Location(ITaskItem item) => new(
        item.GetMetadata(ItemFile),
        int.TryParse(item.GetMetadata(ItemLine), CultureInfo.InvariantCulture, out var line) ? line : 0,
        int.TryParse(item.GetMetadata(ItemColumn), CultureInfo.InvariantCulture, out var column) ? column : 0);

    public static MergeOptions ToOptions(ITaskItem item, MergeBackendKind backend, int threads)
    {
        var directories = item.GetMetadata(AdapterDirectories).Split(ListSeparator);
        var weights = item.GetMetadata(Weights).Split(ListSeparator);
        if (directories.Length != weights.Length)
            throw new ArgumentException($"LoraModel item '{item.ItemSpec}' has {directories.Length} adapters but {weights.Length} weights.");
        var adapters = new List<AdapterInput>();
        for (var i = 0; i < directories.Length; i++)
            adapters.Add(new AdapterInput(directories[i], double.Parse(weights[i], NumberStyles.Float, CultureInfo.InvariantCulture)));
        if (!OutputFormatMetadata.TryParse(item.GetMetadata(Format), out var formats))
            throw new ArgumentException($"LoraModel item '{item.ItemSpec}' has Format '{item.GetMetadata(Format)}'.");
        GgufTensorType? ggufType = null;
        if (item.GetMetadata(GgufType).Length > 0)
        {
            ggufType = GgufTensorTypes.TryParse(item.GetMetadata(GgufType), out var type)
                ? type
                : throw new ArgumentException($"LoraModel item '{item.ItemSpec}' has GgufType '{item.GetMetadata(GgufType)}'.");
        }
        return new MergeOptions
        {
            BaseModelDirectory = item.GetMetadata(BaseModel),
            Adapters = adapters,
            OutputDirectory = Path.TrimEndingDirectorySeparator(item.GetMetadata(OutputDirectory)),
            SafeMerge = !string.Equals(item.GetMetadata(SafeMerge), "false", StringComparison.OrdinalIgnoreCase),
            Rounding = string.Equals(item.GetMetadata(Rounding), "peft", StringComparison.OrdinalIgnoreCase) ? MergeRounding.Peft : MergeRounding.Single,
            Threads = threads,
            Backend = backend,
            Formats = formats,
            GgufType = ggufType,
            Overwrite = true,
        };
    }
}
