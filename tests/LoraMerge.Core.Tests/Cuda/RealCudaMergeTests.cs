using LoraMerge.Core.Tests.Merging;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Cuda;

/// <summary>On a machine with a CUDA device: every committed case merged on the GPU equals the CPU's bytes.</summary>
public sealed class RealCudaMergeTests
{
    [CudaFact]
    public void EveryCaseMergedOnTheGpuEqualsTheCpu()
    {
        foreach (var row in (IEnumerable<object[]>)MergeCase.Valid())
        {
            var @case = MergeCase.Load((string)row[0]);
            using var temp = new TempDirectory();
            MergeEngine.Merge(@case.Options(temp.File("cpu")) with { Backend = MergeBackendKind.Cpu });
            var info = new List<string>();
            MergeEngine.Merge(@case.Options(temp.File("cuda")) with { Backend = MergeBackendKind.Cuda }, onInfo: info.Add);
            Assert.Single(info);
            foreach (var file in Directory.GetFiles(temp.File("cpu"), "*.safetensors"))
                Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(temp.File("cuda", Path.GetFileName(file)))),
                    $"{@case.Name}: {Path.GetFileName(file)} differs between cpu and cuda");
        }
    }
}
