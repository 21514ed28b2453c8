using Microsoft.CodeAnalysis;

namespace LoraMerge.Generators.Model;

/// <summary>A diagnostic to report, as values: the descriptor's id, where, and the message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor.Id, location, new EquatableArray<string>(arguments));

    public Diagnostic ToDiagnostic()
    {
        var arguments = new object[Arguments.Count];
        for (var i = 0; i < arguments.Length; i++) arguments[i] = Arguments[i];
        return Diagnostic.Create(GeneratorDiagnostics.ById(Id), Location?.ToLocation(), arguments);
    }
}
