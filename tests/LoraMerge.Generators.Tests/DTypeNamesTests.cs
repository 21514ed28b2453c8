using LoraMerge.Contracts;
using LoraMerge.Formats;

namespace LoraMerge.Generators.Tests;

/// <summary>
/// src/Contracts' <see cref="DTypeNames"/> (what the generator accepts as a manifest's <c>dtype</c>) and the runtime's
/// <see cref="DType"/> (what the describe step writes, by member name) are one list: a dtype added to either must be
/// added to the other.
/// </summary>
public sealed class DTypeNamesTests
{
    [Fact]
    public void DTypeNames_lists_exactly_the_DType_member_names()
    {
        var names = DTypeNames.All.ToHashSet(StringComparer.Ordinal);
        var members = Enum.GetNames<DType>().ToHashSet(StringComparer.Ordinal);

        Assert.True(names.SetEquals(members),
            $"only in DTypeNames: [{string.Join(", ", names.Except(members).Order())}]; only in DType: [{string.Join(", ", members.Except(names).Order())}]");
        Assert.Equal(DTypeNames.All.Length, names.Count);
    }
}
