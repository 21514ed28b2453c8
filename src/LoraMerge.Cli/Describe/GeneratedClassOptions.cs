namespace LoraMerge.Cli.Describe;

/// <summary>
/// The item metadata that shape a model's generated class: <c>Namespace</c> (null: the project's RootNamespace),
/// <c>ClassName</c> (null: the model name's class name, <see cref="LoraMerge.Contracts.ModelNames.ClassName"/>) and
/// <c>Access="internal"</c>. The manifest carries them to the generator.
/// </summary>
internal sealed record GeneratedClassOptions(string? Namespace, string? ClassName, bool Internal)
{
    public static GeneratedClassOptions Default { get; } = new(null, null, false);

    public string ClassNameFor(string model) => ClassName ?? LoraMerge.Contracts.ModelNames.ClassName(model);

    /// <summary>Where the class is, for messages: <c>Acme.Models.MathModel</c>, or the bare name in the RootNamespace.</summary>
    public string FullNameFor(string model) => Namespace is null ? ClassNameFor(model) : Namespace + "." + ClassNameFor(model);
}
