using System.Reflection;
using LoraMerge.Core.Tests.Cuda;
using LoraMerge.Tests.Shared;
using Xunit;

// Invokes every parameterless [Fact] (including [CudaFact]) of the Core tests' Cuda namespace, the way xunit would,
// and prints the plain "N passed, N failed" line. A [CudaFact] runs here even where xunit would skip it, so a missing
// device is a failure, not a skip. [RealDriverWithoutDeviceFact]s are left out: they are about a machine without one.
var tests = typeof(RealCudaMergeTests).Assembly.GetTypes()
    .Where(t => t.Namespace == typeof(RealCudaMergeTests).Namespace && t.IsPublic && !t.IsAbstract)
    .SelectMany(t => t.GetMethods().Select(m => (Type: t, Method: m)))
    .Where(x => x.Method.GetCustomAttribute<FactAttribute>() is { } fact && fact is not TheoryAttribute and not RealDriverWithoutDeviceFactAttribute
        && x.Method.GetParameters().Length == 0)
    .OrderBy(x => x.Type.Name).ThenBy(x => x.Method.Name)
    .ToList();

int passed = 0, failed = 0;
foreach (var (type, method) in tests)
{
    var started = System.Diagnostics.Stopwatch.StartNew();
    try
    {
        var instance = Activator.CreateInstance(type);
        method.Invoke(instance, null);
        (instance as IDisposable)?.Dispose();
        passed++;
        Console.WriteLine($"PASS {type.Name}.{method.Name} ({started.Elapsed.TotalSeconds:F2} s)");
    }
    catch (TargetInvocationException e)
    {
        failed++;
        Console.WriteLine($"FAIL {type.Name}.{method.Name}: {e.InnerException}");
    }
}
Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 && passed > 0 ? 0 : 1;
