using LoraMerge.Generators.Tests.Infrastructure;
using LoraMerge.Generators.Naming;

namespace LoraMerge.Generators.Tests;

public sealed class ModelClassNameTests
{
    [Theory]
    [InlineData("Math", "MathModel")]
    [InlineData("math", "MathModel")]
    [InlineData("bofh-v2", "BofhV2Model")]
    [InlineData("my_adapter.2024", "MyAdapter2024Model")]
    [InlineData("3d", "_3dModel")]
    [InlineData("class", "ClassModel")]
    public void ClassNameIsThePascalCaseModelNamePlusModel(string model, string expected) =>
        Assert.Equal(expected, LoraMerge.Contracts.ModelNames.ClassName(model));

    [Fact]
    public void ModelsWhoseNamesGiveTheSameClassAreLORAGEN005()
    {
        var result = GeneratorHarness.Run(
        [
            new Manifest("/a/one.json", Manifests.Llama("bofh-v2")),
            new Manifest("/a/two.json", Manifests.Gpt2("bofh_v2")),
        ]);
        Assert.Equal(2, result.Diagnostics.Length);
        Assert.All(result.Diagnostics, d => Assert.Equal("LORAGEN005", d.Id));
        Assert.Empty(result.GeneratedTrees);
    }
}
