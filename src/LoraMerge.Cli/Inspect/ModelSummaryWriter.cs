using System.Globalization;
using LoraMerge.Cli.Parsing;
using LoraMerge.Models;

namespace LoraMerge.Cli.Inspect;

/// <summary>Prints what <c>lora-merge inspect</c> shows for a model folder.</summary>
internal static class ModelSummaryWriter
{
    public static void Write(ModelDirectory model, TextWriter writer, int? maxRows)
    {
        var tensors = model.Weights.AllTensors.ToList();
        long totalBytes = tensors.Sum(t => t.Tensor.ByteLength);
        var config = model.Config;

        writer.WriteLine($"Model folder: {model.Path}");
        var architecture = config.Architectures.Count > 0 ? string.Join(", ", config.Architectures) : "(not given)";
        writer.WriteLine($"  architecture: {architecture}" + (config.ModelType is { } type ? $" (model_type {type})" : ""));
        writer.WriteLine($"  dtype: {config.TorchDtype ?? "(not given)"}");
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  tensors: {tensors.Count}, {ByteSize.Format(totalBytes)} ({totalBytes} bytes)"));
        writer.WriteLine($"  dtypes: {Shapes.CountByDType(tensors.Select(t => t.Tensor.DType))}");

        var shards = model.Weights.Shards;
        var index = model.Weights.IndexPath is { } indexPath ? $" (index {Path.GetFileName(indexPath)})" : "";
        writer.WriteLine($"  shards: {shards.Count}{index}");
        foreach (var shard in shards)
        {
            long shardBytes = shard.Tensors.Sum(t => t.ByteLength);
            writer.WriteLine($"    {Path.GetFileName(shard.FilePath)}: {shard.Tensors.Count} tensors, {ByteSize.Format(shardBytes)}");
        }
        writer.WriteLine($"  companion files: {(model.CompanionFiles.Count > 0 ? string.Join(", ", model.CompanionFiles) : "(none)")}");

        writer.WriteLine();
        writer.WriteLine("Tensors:");
        var table = new TextTable("name", "dtype", "shape", "bytes", "file");
        foreach (var (shard, tensor) in tensors)
        {
            table.Add(tensor.Name, tensor.DType.ToString(), Shapes.Format(tensor.Shape),
                tensor.ByteLength.ToString(CultureInfo.InvariantCulture), Path.GetFileName(shard.FilePath));
        }
        table.Write(writer, maxRows);
    }
}
