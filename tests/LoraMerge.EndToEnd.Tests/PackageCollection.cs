namespace LoraMerge.EndToEnd.Tests;

/// <summary>Every end-to-end test class shares one pack of the two packages (packing is the slow part).</summary>
[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "packed LoraMerge";
}
