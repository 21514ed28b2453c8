using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Merging;
using LoraMerge.Requests;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>
/// "The output must not be or contain an input" is decided by what the paths name: a symbolic link does not let a
/// merge replace its own base (issue 17: <c>--base baselink --out base --force</c> used to overwrite the base).
/// </summary>
public sealed class OutputContainmentTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private (string Base, string Adapter) CopyCase()
    {
        var @case = MergeCase.Load("linear_bf16");
        string model = _temp.File("real", "base");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(@case.BaseDirectory))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        return (model, @case.Adapters[0].Directory);
    }

    [LinuxFact]
    public void TheBaseThroughALinkIsStillTheBase()
    {
        var (model, adapter) = CopyCase();
        string link = _temp.File("baselink");
        File.CreateSymbolicLink(link, model);
        byte[] before = File.ReadAllBytes(Path.Combine(model, "model.safetensors"));

        var error = Assert.Throws<LoraException>(() => MergeEngine.Merge(new MergeOptions
        {
            BaseModelDirectory = link,
            Adapters = [new AdapterInput(adapter)],
            OutputDirectory = model,
        }));

        Assert.Equal(ErrorCodes.InvalidMergeOptions, error.Code);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(model, "model.safetensors")));
    }

    [LinuxFact]
    public void AnOutputThatHoldsTheBaseBehindALinkIsRefused()
    {
        var (model, _) = CopyCase();
        Directory.CreateDirectory(_temp.File("links"));
        string link = _temp.File("links", "b");
        File.CreateSymbolicLink(link, model);

        Assert.True(PathContainment.IsSameOrInside(link, _temp.File("real")));
        Assert.True(PathContainment.IsSameOrInside(Path.Combine(link, "config.json"), model));
        Assert.False(PathContainment.IsSameOrInside(link, _temp.File("links", "other")));
        Assert.False(PathContainment.IsSameOrInside(_temp.File("real"), model));
    }
}
