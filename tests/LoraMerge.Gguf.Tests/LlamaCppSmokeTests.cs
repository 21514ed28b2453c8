using LLama.Native;

namespace LoraMerge.Gguf.Tests;

public sealed class LlamaCppSmokeTests
{
    [Fact]
    public void NativeLibraryLoads()
    {
        NativeApi.llama_empty_call();
        Assert.True(NativeApi.llama_max_devices() >= 1);
    }
}
