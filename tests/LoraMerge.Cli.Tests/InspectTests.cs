using LoraMerge.Formats;
namespace LoraMerge.Cli.Tests;

public class InspectTests
{
    private const string LlamaConfig = """{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "torch_dtype": "float16"}""";

    [Fact]
    public void Model_summary_shows_architecture_dtype_counts_sizes_and_shards()
    {
        using var temp = new TempFolder();
        var model = temp.Combine("model");
        TinyModelFolder.Write(model, TinyModelFolder.Layers(3), LlamaConfig);

        var run = CliRun.Invoke("inspect", model);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Contains("architecture: LlamaForCausalLM (model_type llama)", run.Out);
        Assert.Contains("dtype: float16", run.Out);
        Assert.Contains("tensors: 4, 52 B (52 bytes)", run.Out);
        Assert.Contains("dtypes: F16 3, F32 1", run.Out);
        Assert.Contains("shards: 1", run.Out);
        Assert.Contains("model.safetensors: 4 tensors, 52 B", run.Out);
        Assert.Contains("companion files: tokenizer.json", run.Out);
        Assert.Matches(@"layers\.2\.weight\s+F16\s+\[2, 3\]\s+12\s+model\.safetensors", run.Out);
        Assert.Matches(@"norm\.weight\s+F32\s+\[4\]\s+16\s+model\.safetensors", run.Out);
    }

    [Fact]
    public void Long_tensor_tables_are_trimmed_unless_all()
    {
        using var temp = new TempFolder();
        var model = temp.Combine("model");
        TinyModelFolder.Write(model, TinyModelFolder.Layers(30), LlamaConfig);

        var trimmed = CliRun.Invoke("inspect", model);
        var all = CliRun.Invoke("inspect", model, "--all");

        Assert.Equal(0, trimmed.ExitCode);
        Assert.Contains("layers.19.weight", trimmed.Out);
        Assert.DoesNotContain("layers.20.weight", trimmed.Out);
        Assert.Contains("... 11 more (use --all", trimmed.Out);

        Assert.Equal(0, all.ExitCode);
        Assert.Contains("layers.29.weight", all.Out);
        Assert.Contains("norm.weight", all.Out);
        Assert.DoesNotContain("more (use --all", all.Out);
    }

    [Fact]
    public void Sharded_model_lists_each_shard()
    {
        var run = CliRun.Invoke("inspect", TestPaths.MergeFixture("sharded_bf16", "base"), "--all");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("shards: 2 (index model.safetensors.index.json)", run.Out);
        Assert.Contains("model-00001-of-00002.safetensors: 10 tensors", run.Out);
        Assert.Contains("model-00002-of-00002.safetensors: 11 tensors", run.Out);
        Assert.Contains("tensors: 21,", run.Out);
    }

    [Fact]
    public void Adapter_summary_shows_settings_targets_and_modules()
    {
        var run = CliRun.Invoke("inspect", TestPaths.MergeFixture("linear_bf16", "adapters", "a"), "--all");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Contains("peft type: LORA (peft 0.20.0)", run.Out);
        Assert.Contains("base model: loramerge/tiny-fixture", run.Out);
        Assert.Contains("r: 8, lora_alpha: 16, rslora: no, dora: no", run.Out);
        Assert.Contains("target_modules: [\"q_proj\", \"k_proj\", \"v_proj\", \"o_proj\", \"gate_proj\", \"up_proj\", \"down_proj\"]", run.Out);
        Assert.Contains("tensors: 28,", run.Out);
        Assert.Contains("dtypes: F32 28", run.Out);
        Assert.Contains("modules found: 14, replaced tensors: 0", run.Out);
        // alpha / r = 16 / 8.
        Assert.Matches(@"model\.layers\.1\.mlp\.down_proj\s+Linear\s+8\s+16\s+2\s+F32 \[8, 40\]\s+F32 \[16, 8\]", run.Out);
    }

    [Fact]
    public void Missing_folder_is_error_LORA1001_with_the_path()
    {
        using var temp = new TempFolder();
        var missing = temp.Combine("nope");

        var run = CliRun.Invoke("inspect", missing);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error LORA1001: The folder does not exist. ({missing}){Environment.NewLine}", run.Error);
    }

    [Fact]
    public void Unsupported_adapter_is_reported_with_code_and_file()
    {
        var adapter = TestPaths.MergeFixture("invalid", "unsupported_peft_type", "adapters", "a");

        var run = CliRun.Invoke("inspect", adapter);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error LORA1111: ", run.Error);
        Assert.EndsWith($"({Path.Combine(adapter, "adapter_config.json")}){Environment.NewLine}", run.Error);
    }

    [Fact]
    public void Base_with_a_model_folder_is_a_usage_error()
    {
        var model = TestPaths.MergeFixture("linear_bf16", "base");

        var run = CliRun.Invoke("inspect", model, "--base", model);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--base", run.Error);
    }

    [Fact]
    public void Hostile_tensor_names_are_escaped_and_cut()
    {
        using var temp = new TempFolder();
        string model = temp.Combine("model");
        string forged = "x\nerror LORA9999: forged\u001b[31m\u202Egnp.exe";
        string huge = new string('a', 100_000);
        TinyModelFolder.Write(model, [new TensorSpec(forged, DType.F32, [1]), new TensorSpec(huge, DType.F32, [1])], "{\"architectures\": [\"X\"]}");

        var run = CliRun.Invoke("inspect", model);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.DoesNotContain(run.Out.Split('\n'), line => line.StartsWith("error LORA9999", StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', run.Out);
        Assert.DoesNotContain('\u202E', run.Out);
        Assert.Contains("x\\u000Aerror LORA9999: forged\\u001B[31m\\u202Egnp.exe", run.Out);
        Assert.Contains("...[100000 chars]", run.Out);
        Assert.True(run.Out.Length < 5_000, $"inspect printed {run.Out.Length} characters for two tensors");
    }
}
