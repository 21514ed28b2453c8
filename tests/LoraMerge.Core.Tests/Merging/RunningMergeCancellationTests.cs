using System.Runtime.InteropServices;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>
/// Issue 18: cancelling a merge that is running (not a token cancelled before the start): another thread cancels once
/// the first tensor has been produced (the progress callback says so) while 23 more are still to come; the merge ends
/// with <see cref="OperationCanceledException"/>, no output folder and no temp folder beside it, and an existing
/// output is left as it was.
/// </summary>
public sealed class RunningMergeCancellationTests
{
    /// <summary>
    /// Signals the first finished tensor, then holds that report until the other thread has cancelled (at most 30 s),
    /// so that the cancellation lands mid-merge however slow the machine is.
    /// </summary>
    private sealed class FirstTensorSignal(CancellationToken cancelled) : IProgress<MergeProgress>
    {
        public ManualResetEventSlim FirstTensorDone { get; } = new();
        public int Reports;
        public int MaxTensorsDone;

        public void Report(MergeProgress value)
        {
            Interlocked.Increment(ref Reports);
            int done = value.TensorsDone;
            int seen;
            while ((seen = Volatile.Read(ref MaxTensorsDone)) < done && Interlocked.CompareExchange(ref MaxTensorsDone, done, seen) != seen) { }
            if (done >= 1 && !FirstTensorDone.IsSet)
            {
                FirstTensorDone.Set();
                cancelled.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cancelling_from_another_thread_after_the_first_tensor_stops_the_merge_and_leaves_nothing(bool outputExists)
    {
        using var temp = new TempDirectory();
        var (baseDir, adapterDir) = LoraMerge.Tests.Shared.SlowMergeModel.Write(temp.Path, layers: 24, size: 1024, rank: 8);
        string output = temp.File("out");
        if (outputExists)
        {
            Directory.CreateDirectory(output);
            File.WriteAllText(Path.Combine(output, "previous.txt"), "the previous merge");
        }
        using var cancellation = new CancellationTokenSource();
        var progress = new FirstTensorSignal(cancellation.Token);
        var canceller = new Thread(() =>
        {
            if (progress.FirstTensorDone.Wait(TimeSpan.FromMinutes(2)))
                cancellation.Cancel();
        });
        canceller.Start();

        var thrown = Record.Exception(() => MergeEngine.Merge(new MergeOptions
        {
            BaseModelDirectory = baseDir,
            Adapters = [new AdapterInput(adapterDir)],
            OutputDirectory = output,
            Threads = 1,
            Durable = false,
        }, progress, cancellationToken: cancellation.Token));
        canceller.Join();

        Assert.True(progress.FirstTensorDone.IsSet, "the merge never reported a finished tensor");
        Assert.IsAssignableFrom<OperationCanceledException>(thrown);
        Assert.True(progress.MaxTensorsDone < 24, $"the merge ran to the end ({progress.MaxTensorsDone} tensors) before the cancellation");
        if (outputExists)
            Assert.Equal(["previous.txt"], Directory.GetFiles(output).Select(p => Path.GetFileName(p)!).ToArray());
        else
            Assert.False(Directory.Exists(output));
        // No ".out.tmp-..." folder (nor anything else) beside the output: only the inputs (and the old output).
        string[] expected = outputExists ? ["adapter", "base", "out"] : ["adapter", "base"];
        Assert.Equal(expected, Directory.EnumerateFileSystemEntries(temp.Path).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray());
    }
}

/// <summary>Issue 18: LORA1904 produced (not only listed in docs/diagnostics.md).</summary>
public sealed class TiedEmbeddingWarningTests
{
    [Fact]
    public void An_adapter_on_lm_head_of_a_tied_model_warns_LORA1904_and_changes_the_embedding()
    {
        using var temp = new TempDirectory();
        string baseDir = Fixtures.Path("merge", "tied_embeddings_bf16", "base");
        string adapterDir = LoraMerge.Tests.Shared.TiedLmHeadAdapter.Write(temp.File("adapter"));
        var warnings = new List<LoraWarning>();

        var result = MergeEngine.Merge(new MergeOptions { BaseModelDirectory = baseDir, Adapters = [new AdapterInput(adapterDir)], OutputDirectory = temp.File("out") },
            onWarning: warnings.Add);

        var warning = Assert.Single(warnings, w => w.Code == ErrorCodes.TiedEmbeddingsTargeted);
        Assert.Equal("LORA1904", warning.Code);
        Assert.Equal(Path.Combine(adapterDir, "adapter_model.safetensors"), warning.FilePath);
        Assert.Contains(result.Warnings, w => w.Code == "LORA1904");
        // Plain LoRA on the shared weight: W + s·B·A with s = 4 / 2, PEFT's in-place merge of a tied lm_head.
        var expected = ReferenceMath.MergeLinear(Path.Combine(baseDir, "model.safetensors"), []);
        using var merged = SafetensorsFile.Open(temp.File("out", "model.safetensors"));
        var embedding = merged.Header.Find("model.embed_tokens.weight")!;
        Assert.False(expected["model.embed_tokens.weight"].AsSpan().SequenceEqual(merged.GetBytes(embedding)));
        Assert.Null(merged.Header.Find("lm_head.weight"));
    }
}
