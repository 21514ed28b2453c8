using System.Diagnostics;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>
/// Files in input folders must be regular files, and links must stay in their folder or in the Hugging Face cache's
/// blobs (issue 17: a FIFO blocked the merge; <c>tokenizer.json -&gt; /etc/shadow</c> was copied into the model).
/// </summary>
public sealed class InputFilePolicyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private MergeOptions Case(string baseFolder)
    {
        var @case = MergeCase.Load("linear_bf16");
        Directory.CreateDirectory(baseFolder);
        foreach (var file in Directory.GetFiles(@case.BaseDirectory))
            File.Copy(file, Path.Combine(baseFolder, Path.GetFileName(file)));
        return @case.Options(_temp.File("out")) with { BaseModelDirectory = baseFolder };
    }

    [LinuxFact]
    public void AFifoIsRefusedBeforeItIsOpened()
    {
        var options = Case(_temp.File("base"));
        using (var mkfifo = Process.Start("mkfifo", [Path.Combine(options.BaseModelDirectory, "tokenizer.json")]))
            mkfifo.WaitForExit();

        var merge = Task.Run(() => MergeEngine.Merge(options));
        Assert.True(Task.WhenAny(merge, Task.Delay(TimeSpan.FromSeconds(30))).Result == merge, "the merge blocked on the FIFO");
        var error = Assert.IsType<LoraException>(merge.Exception!.InnerException);
        Assert.Equal(ErrorCodes.InputNotARegularFile, error.Code);
        Assert.EndsWith("tokenizer.json", error.FilePath);
        Assert.False(Directory.Exists(options.OutputDirectory));
    }

    [LinuxFact]
    public void ALinkOutOfTheFolderIsRefused()
    {
        var options = Case(_temp.File("base"));
        File.CreateSymbolicLink(Path.Combine(options.BaseModelDirectory, "tokenizer.json"), "/etc/hostname");

        var error = Assert.Throws<LoraException>(() => MergeEngine.Merge(options));

        Assert.Equal(ErrorCodes.InputLinkOutsideFolder, error.Code);
        Assert.Contains("/etc/hostname", error.Message);
        Assert.False(Directory.Exists(options.OutputDirectory));
    }

    [LinuxFact]
    public void AnAdapterLinkOutOfItsFolderIsRefused()
    {
        var options = Case(_temp.File("base"));
        string adapter = _temp.File("adapter");
        Directory.CreateDirectory(adapter);
        File.Copy(Path.Combine(options.Adapters[0].Directory, "adapter_config.json"), Path.Combine(adapter, "adapter_config.json"));
        File.CreateSymbolicLink(Path.Combine(adapter, "adapter_model.safetensors"), Path.Combine(options.Adapters[0].Directory, "adapter_model.safetensors"));

        var error = Assert.Throws<LoraException>(() => MergeEngine.Merge(options with { Adapters = [new AdapterInput(adapter)] }));

        Assert.Equal(ErrorCodes.InputLinkOutsideFolder, error.Code);
    }

    [LinuxFact]
    public void TheHuggingFaceCacheLayoutAndLinksInsideTheFolderWork()
    {
        // models--org--name/snapshots/<rev>/<file> -> ../../blobs/<hash>, as huggingface_hub lays a snapshot out.
        string model = _temp.File("hub", "models--org--tiny");
        string snapshot = Path.Combine(model, "snapshots", "0123abcd");
        var options = Case(_temp.File("plain"));
        Directory.CreateDirectory(Path.Combine(model, "blobs"));
        Directory.CreateDirectory(snapshot);
        int n = 0;
        foreach (var file in Directory.GetFiles(options.BaseModelDirectory))
        {
            string blob = Path.Combine(model, "blobs", $"blob{n++}");
            File.Copy(file, blob);
            File.CreateSymbolicLink(Path.Combine(snapshot, Path.GetFileName(file)), Path.Combine("..", "..", "blobs", Path.GetFileName(blob)));
        }
        Directory.CreateDirectory(Path.Combine(snapshot, "extra"));
        File.WriteAllText(Path.Combine(snapshot, "extra", "tok.json"), "{}");
        File.CreateSymbolicLink(Path.Combine(snapshot, "tokenizer.json"), Path.Combine("extra", "tok.json"));

        MergeEngine.Merge(options with { BaseModelDirectory = snapshot });

        Assert.Equal("{}", File.ReadAllText(Path.Combine(options.OutputDirectory, "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(options.OutputDirectory, "model.safetensors")));
    }

    /// <summary>Issue 17: a folder whose name is not UTF-8 was reported as missing.</summary>
    [Fact]
    public void AFolderNameThatIsNotUtf8IsSaidAsSuch()
    {
        // What .NET hands over for a name with an invalid UTF-8 byte (\xff): U+FFFD in its place.
        var options = Case(_temp.File("base"));
        var error = Assert.Throws<LoraException>(() => MergeEngine.Merge(options with { BaseModelDirectory = _temp.File("\uFFFDbase") }));
        Assert.Equal(ErrorCodes.FileNotFound, error.Code);
        Assert.Contains("not valid UTF-8", error.Message);
    }
}
