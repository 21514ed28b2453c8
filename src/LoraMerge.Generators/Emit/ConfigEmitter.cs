using LoraMerge.Generators.Model;
using LoraMerge.Generators.Naming;

namespace LoraMerge.Generators.Emit;

/// <summary>Writes the nested static <c>Config</c> class: one typed constant (or read-only list) per usable config.json value.</summary>
internal static class ConfigEmitter
{
    public const string ArchitectureConstant = "Architecture";

    public static void Write(CodeWriter w, EquatableArray<ConfigEntry> config)
    {
        var scope = new NameScope("Config");
        w.Line("/// <summary>The model's config.json values, typed.</summary>");
        w.Line("public static class Config");
        w.Open();
        foreach (var entry in config)
        {
            if (entry.Key == "architectures" && entry.IsArray && entry.CSharpType == "string")
            {
                w.Line("/// <summary>The first of <c>architectures</c>.</summary>");
                w.Line($"public const string {scope.Allocate(ArchitectureConstant)} = {entry.Literals[0]};");
                w.Line();
                break;
            }
        }
        foreach (var entry in config)
        {
            var name = scope.Allocate(Identifiers.ToPascalCase(entry.Key));
            w.Line($"/// <summary><c>{entry.Key.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;")}</c></summary>");
            if (entry.IsArray)
            {
                w.Line($"public static global::System.Collections.Generic.IReadOnlyList<{entry.CSharpType}> {name} {{ get; }} = " +
                       $"new {entry.CSharpType}[] {{ {string.Join(", ", entry.Literals)} }};");
            }
            else
            {
                w.Line($"public const {entry.CSharpType} {name} = {entry.Literals[0]};");
            }
        }
        w.Close();
    }
}
