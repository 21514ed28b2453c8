extern alias tasks;
using LoraMerge.Diagnostics;
using LoraMerge.Tests.Shared;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

/// <summary>LoraMergeBackend against NVIDIA's real libcuda.so.1 on a machine without a device.</summary>
public sealed class RealDriverWithoutDeviceTests
{
    [RealDriverWithoutDeviceFact]
    public void LoraMergeBackend_cuda_fails_with_LORA1305_at_the_LoraAdapter_line_and_writes_nothing()
    {
        using var project = TestProject.Create();
        var item = project.Adapter("adapters/math", Model: "Math", BaseModel: "base");
        project.CopyFixture("merge/linear_bf16/base", "base");
        project.CopyFixture("merge/linear_bf16/adapters/a", "adapters/math");
        var engine = new FakeBuildEngine(project.ProjectFile);
        var describe = project.Describe(engine, item);
        describe.Backend = "cuda";
        Assert.True(describe.Execute(), engine.AllErrors());

        // The backend travels in the request the describe step wrote.
        var merge = TestProject.Merge(engine, describe.Models);

        Assert.False(merge.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.BackendUnavailable, error.Code);
        Assert.Equal(project.ProjectFile, error.File);
        Assert.Equal(item.Line, error.LineNumber);
        Assert.Contains("Model 'Math'", error.Message);
        Assert.Contains($"cuInit failed: {RealDriverWithoutDevice.NoDeviceError}", error.Message);
        Assert.False(Directory.Exists(Path.Combine(project.Intermediate, "models", "Math")));
    }
}
