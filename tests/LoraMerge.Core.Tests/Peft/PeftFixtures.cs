using System.Reflection;
using System.Text;
using LoraMerge.Peft;

namespace LoraMerge.Core.Tests.Peft;

internal static class PeftFixtures
{
    public static string Dir { get; } = System.IO.Path.Combine(
        typeof(PeftFixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FixturesDir").Value!,
        "peft");

    public static string Config(string name) => System.IO.Path.Combine(Dir, "configs", name);

    /// <summary>Parses adapter_config.json text written with single quotes for readability.</summary>
    public static AdapterConfig Parse(string json) =>
        AdapterConfig.Parse(Encoding.UTF8.GetBytes(json.Replace('\'', '"')), "/x/adapter_config.json");
}
