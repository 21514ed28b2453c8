using LoraMerge.Cli.Parsing;

namespace LoraMerge.Cli.Tests;

public class AdapterWeightsTests
{
    [Fact]
    public void Weights_pair_in_order_and_missing_ones_are_one()
    {
        var inputs = AdapterWeights.Pair(["a", "b", "c"], [0.7, -0.4]);

        Assert.Equal(["a", "b", "c"], inputs.Select(i => i.Directory));
        Assert.Equal([0.7, -0.4, 1.0], inputs.Select(i => i.Weight));
    }

    [Fact]
    public void No_weights_means_all_one()
    {
        var inputs = AdapterWeights.Pair(["a", "b"], []);
        Assert.All(inputs, i => Assert.Equal(1.0, i.Weight));
    }

    [Fact]
    public void More_weights_than_adapters_is_refused()
    {
        Assert.Null(AdapterWeights.Validate(2, 2));
        Assert.Contains("3 --weight values", AdapterWeights.Validate(2, 3));
        Assert.Throws<ArgumentException>(() => AdapterWeights.Pair(["a"], [1, 2]));
    }
}
