using System.Text.Json;

namespace LoraMerge.Sample.Tests;

/// <summary>training/reference_logits.json, written by training/export_reference.py with the PyTorch model.</summary>
internal sealed class ReferenceData
{
    private ReferenceData(JsonElement root)
    {
        Prompt = root.GetProperty("prompt").GetString()!;
        TokenIds = Ints(root.GetProperty("token_ids"));
        BaseLogits = Floats(root.GetProperty("base").GetProperty("logits"));
        BaseArgmax = root.GetProperty("base").GetProperty("argmax").GetInt32();
        LoraLogits = Floats(root.GetProperty("base_plus_lora").GetProperty("logits"));
        LoraArgmax = root.GetProperty("base_plus_lora").GetProperty("argmax").GetInt32();
        var held = root.GetProperty("bofh_heldout");
        HeldOutWindow = held.GetProperty("window").GetInt32();
        HeldOutBofhIds = Ints(held.GetProperty("token_ids"));
        HeldOutBofhBaseLoss = held.GetProperty("base_loss").GetDouble();
        HeldOutBofhLoraLoss = held.GetProperty("lora_loss").GetDouble();
    }

    public string Prompt { get; }
    public int[] TokenIds { get; }
    public float[] BaseLogits { get; }
    public int BaseArgmax { get; }
    public float[] LoraLogits { get; }
    public int LoraArgmax { get; }
    public int HeldOutWindow { get; }
    public int[] HeldOutBofhIds { get; }
    public double HeldOutBofhBaseLoss { get; }
    public double HeldOutBofhLoraLoss { get; }

    public static ReferenceData Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SamplePaths.ReferenceFile));
        return new ReferenceData(doc.RootElement);
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();
}
