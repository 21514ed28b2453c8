namespace LoraMerge.Models;

/// <summary>
/// Sorts the files in the root of a Hugging Face model folder into weights, config and companion files.
/// </summary>
/// <remarks>
/// Companion files are every regular file in the folder root (symbolic links to files included, as in the Hugging
/// Face cache) except: config.json (the merge writes its own), weight files in any format (<c>*.safetensors</c>,
/// <c>*.bin</c>, <c>*.pt</c>, <c>*.pth</c>, <c>*.ckpt</c>, <c>*.h5</c>, <c>*.msgpack</c>, <c>*.gguf</c>, <c>*.onnx</c>)
/// and their indexes (<c>*.index.json</c>), LoraMerge's own <c>lora-merge.json</c>, and clutter: names starting
/// with '.', <c>Thumbs.db</c>, <c>desktop.ini</c>. Subfolders are not looked at.
/// </remarks>
public static class ModelFolderLayout
{
    public const string ConfigFileName = "config.json";
    public const string MergeReportFileName = LoraMerge.Contracts.ArtifactLayout.MergeReportFileName;

    private static readonly string[] WeightExtensions =
        [".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".gguf", ".onnx"];

    private static readonly string[] ClutterNames = ["Thumbs.db", "desktop.ini"];

    public static bool IsSafetensorsWeight(string fileName) =>
        fileName.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);

    /// <summary>PyTorch pickle checkpoints (<c>pytorch_model.bin</c>, shards and their index).</summary>
    public static bool IsPickleWeight(string fileName) =>
        fileName.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)
        || fileName.EndsWith(".pt", StringComparison.OrdinalIgnoreCase)
        || fileName.EndsWith(".pth", StringComparison.OrdinalIgnoreCase)
        || fileName.EndsWith(".bin.index.json", StringComparison.OrdinalIgnoreCase);

    public static bool IsCompanion(string fileName)
    {
        if (fileName.StartsWith('.')) return false;
        if (fileName == ConfigFileName || fileName == MergeReportFileName) return false;
        if (fileName.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase)) return false;
        foreach (var extension in WeightExtensions)
        {
            if (fileName.EndsWith(extension, StringComparison.OrdinalIgnoreCase)) return false;
        }
        foreach (var clutter in ClutterNames)
        {
            if (string.Equals(fileName, clutter, StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }

    /// <summary>File names (not paths) in the folder root, sorted ordinally.</summary>
    public static List<string> RootFileNames(string directory)
    {
        var names = new List<string>();
        foreach (var path in Directory.EnumerateFiles(directory))
            names.Add(System.IO.Path.GetFileName(path));
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
