using System.Globalization;
using LoraMerge.Cli.Parsing;
using LoraMerge.Merging;

namespace LoraMerge.Cli.Inspect;

/// <summary>Prints which tensors a merge would change, from a <see cref="MergePlan"/>.</summary>
internal static class MergePreviewWriter
{
    public static void Write(MergePlan plan, TextWriter writer, int? maxRows)
    {
        var c = CultureInfo.InvariantCulture;
        int merged = plan.Tensors.Count(t => t.Action == TensorAction.Merge);
        int replaced = plan.Tensors.Count(t => t.Action == TensorAction.Replace);
        int copied = plan.Tensors.Count(t => t.Action == TensorAction.Copy);

        writer.WriteLine($"Merge plan against {plan.BaseModel.Path}:");
        writer.WriteLine(string.Create(c,
            $"  output tensors: {plan.Tensors.Count} ({merged} merged, {replaced} replaced, {copied} copied), {ByteSize.Format(plan.TotalBytes)}"));
        writer.WriteLine($"  fingerprint: {plan.Fingerprint}");

        writer.WriteLine();
        writer.WriteLine("Tensors a merge would change:");
        var table = new TextTable("name", "action", "dtype", "shape", "file");
        foreach (var tensor in plan.Tensors.Where(t => t.Action != TensorAction.Copy))
            table.Add(tensor.Name, ActionName(tensor.Action), tensor.DType.ToString(), Shapes.Format(tensor.Shape), tensor.OutputFile);
        table.Write(writer, maxRows);
    }

    public static string ActionName(TensorAction action) => action switch
    {
        TensorAction.Merge => "merge",
        TensorAction.Replace => "replace",
        _ => "copy",
    };
}
