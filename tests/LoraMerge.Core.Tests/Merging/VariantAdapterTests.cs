using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Merging;
using LoraMerge.Peft;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>LoHa, LoKr and IA3 adapters: how they are read, and the coded errors around them (the merges are fixture cases).</summary>
public sealed class VariantAdapterTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A writable copy of a committed case's base and adapter "a".</summary>
    private (string Base, string Adapter) Copy(string caseName)
    {
        var @case = MergeCase.Load(caseName);
        string root = _temp.File(caseName);
        CopyFolder(@case.BaseDirectory, Path.Combine(root, "base"));
        CopyFolder(Path.Combine(@case.Folder, "adapters", "a"), Path.Combine(root, "a"));
        return (Path.Combine(root, "base"), Path.Combine(root, "a"));
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    private static void EditConfig(string adapter, string from, string to)
    {
        string path = Path.Combine(adapter, "adapter_config.json");
        string text = File.ReadAllText(path);
        Assert.Contains(from, text);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }

    private LoraException Fails(string baseModel, string adapter, double weight, string code)
    {
        var e = Assert.ThrowsAny<LoraException>(() => MergeEngine.Merge(new MergeOptions
        {
            BaseModelDirectory = baseModel,
            Adapters = [new AdapterInput(adapter, weight)],
            OutputDirectory = _temp.File("out"),
        }));
        Assert.Equal(code, e.Code);
        Assert.False(Directory.Exists(_temp.File("out")));
        return e;
    }

    [Theory]
    [InlineData("loha_bf16", PeftKind.LoHa)]
    [InlineData("lokr_bf16", PeftKind.LoKr)]
    [InlineData("ia3_bf16", PeftKind.Ia3)]
    public void Variant_adapters_are_read_as_variant_modules(string caseName, PeftKind kind)
    {
        var adapter = PeftAdapter.Open(Path.Combine(MergeCase.Load(caseName).Folder, "adapters", "a"));
        Assert.Equal(kind, adapter.Config.Kind);
        Assert.Empty(adapter.Modules);
        Assert.NotEmpty(adapter.VariantModules);
        Assert.All(adapter.VariantModules, m => Assert.Equal(kind, m.Kind));
    }

    [Fact]
    public void Lokr_reads_full_and_decomposed_factors()
    {
        var adapter = PeftAdapter.Open(Path.Combine(MergeCase.Load("lokr_bf16").Folder, "adapters", "a"));
        Assert.Contains(adapter.VariantModules, m => m.Factors.ContainsKey("lokr_w1") && m.Factors.ContainsKey("lokr_w2"));
        Assert.Contains(adapter.VariantModules, m => m.Factors.ContainsKey("lokr_w1_a") && m.Factors.ContainsKey("lokr_w2_b"));
    }

    [Fact]
    public void Ia3_with_a_weight_other_than_one_is_an_options_error()
    {
        var (baseModel, adapter) = Copy("ia3_bf16");
        var e = Fails(baseModel, adapter, 0.5, ErrorCodes.InvalidMergeOptions);
        Assert.Contains("IA3", e.Message);
    }

    [Fact]
    public void Tensors_of_another_method_than_peft_type_are_unrecognised()
    {
        var (baseModel, adapter) = Copy("loha_bf16");
        EditConfig(adapter, "\"peft_type\": \"LOHA\"", "\"peft_type\": \"LOKR\"");
        var e = Fails(baseModel, adapter, 1.0, ErrorCodes.UnrecognisedAdapterTensor);
        Assert.Contains("hada_w1_a", e.Message);
    }

    [Fact]
    public void Loha_rank_must_agree_with_the_config()
    {
        var (baseModel, adapter) = Copy("loha_bf16");
        EditConfig(adapter, "\"r\": 4", "\"r\": 3");
        Fails(baseModel, adapter, 1.0, ErrorCodes.InvalidAdapterValue);
    }

    [Theory]
    [InlineData("OFT")]
    [InlineData("VERA")]
    public void Other_peft_types_are_named_in_a_coded_error(string peftType)
    {
        var (baseModel, adapter) = Copy("loha_bf16");
        EditConfig(adapter, "\"peft_type\": \"LOHA\"", $"\"peft_type\": \"{peftType}\"");
        var e = Fails(baseModel, adapter, 1.0, ErrorCodes.UnsupportedPeftType);
        Assert.Contains(peftType, e.Message);
    }
}
