using System.Runtime.CompilerServices;
using LLama.Native;

namespace LoraMerge.Gguf.Tests.TestSupport;

internal static class QuietLlamaCpp
{
    /// <summary>llama.cpp logs every model load at length; the tests' output keeps only their own lines.</summary>
    [ModuleInitializer]
    internal static void Silence() => NativeLogConfig.llama_log_set((_, _) => { });
}
