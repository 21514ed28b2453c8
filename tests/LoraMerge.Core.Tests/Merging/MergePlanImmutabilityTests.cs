using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>Issue 13: a built plan is a value: its jobs and shards refuse every change after the planner is done.</summary>
public sealed class MergePlanImmutabilityTests
{
    [Fact]
    public void Jobs_and_shards_of_a_built_plan_cannot_change()
    {
        var plan = MergeEngine.Plan(MergeCase.Load("linear_bf16").Options(Path.Combine(Path.GetTempPath(), "never-written")));
        var merged = plan.Jobs.First(j => j.Terms.Count > 0);

        Assert.Throws<InvalidOperationException>(() => merged.Add(merged.Terms[0]));
        Assert.Throws<InvalidOperationException>(() => merged.RemoveAdapterTerms());
        Assert.Throws<InvalidOperationException>(() => merged.RoundsAfterEachAdapter = true);
        Assert.Throws<InvalidOperationException>(() => merged.Replacement = null);
        Assert.Throws<InvalidOperationException>(() => merged.Dora = null);
        Assert.Throws<InvalidOperationException>(() => plan.Shards[0].Add(merged));
        Assert.Single(merged.Terms);
    }
}
