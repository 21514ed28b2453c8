using System.Text;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Formats;
using LoraMerge.Merging.Cuda;

namespace LoraMerge.Core.Tests.Cuda;

public sealed class CudaKernelImageTests
{
    private static string Ptx => Encoding.UTF8.GetString(CudaKernelImage.Load().AsSpan()[..^1]);

    [Fact]
    public void EmbeddedPtxIsTheCommittedFileAndNulTerminated()
    {
        var image = CudaKernelImage.Load();
        var committed = File.ReadAllBytes(Path.Combine(Fixtures.RepoRoot, "src", "LoraMerge.Core", "Merging", "Cuda", "Kernel", "lora_merge.ptx"));

        Assert.Equal(0, image[^1]);
        Assert.Equal(committed, image[..^1]);
    }

    [Fact]
    public void PtxHasAnEntryPerDTypeAndTargetsSm52()
    {
        var ptx = Ptx;
        foreach (var dtype in new[] { DType.F32, DType.BF16, DType.F16 })
            Assert.Contains($".visible .entry {CudaKernelImage.EntryFor(dtype)}(", ptx);
        Assert.Contains(".target sm_52", ptx);
        Assert.Equal(52, CudaKernelImage.MinimumComputeCapability);
    }

    [Fact]
    public void PtxRoundsEveryProductAndSumSeparatelyWithoutFlushingSubnormals()
    {
        var ptx = Ptx;
        Assert.Contains("mul.rn.f32", ptx);
        Assert.Contains("add.rn.f32", ptx);
        Assert.DoesNotContain("fma", ptx);
        Assert.DoesNotContain("mad.f32", ptx);
        Assert.DoesNotContain(".ftz", ptx);
        Assert.DoesNotContain("mul.f32", ptx);
        Assert.DoesNotContain("add.f32", ptx);
    }

    [Fact]
    public void OtherDTypesHaveNoEntry()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CudaKernelImage.EntryFor(DType.F64));
    }
}
