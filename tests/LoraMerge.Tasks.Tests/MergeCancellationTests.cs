extern alias tasks;
using System.Diagnostics;
using System.Runtime.InteropServices;
using LoraMerge.Diagnostics;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

/// <summary>
/// Ctrl+C during a merge, through the real path: the child is running (stopped with SIGSTOP mid-merge, so the test
/// does not race it), the task's <c>Cancel</c> sends it SIGTERM, and either it cancels itself or, when it does not
/// answer within the grace period, the task kills it. Either way the build reports LORA1303, no output folder that
/// looks complete is left, and the child is gone.
/// </summary>
public sealed partial class MergeCancellationTests
{
    private const int SIGCONT = 18;
    private const int SIGSTOP = 19;

    [Fact]
    public async Task SIGTERM_cancels_a_running_merge_which_removes_its_temp_folder_and_exits()
    {
        if (OperatingSystem.IsWindows()) return;
        using var project = LargeProject(out var describe, out var engine);
        var merge = TestProject.Merge(engine, describe.Models);
        var run = Task.Run(merge.Execute);
        var child = StopChildMidMerge(merge, run);

        var stopwatch = Stopwatch.StartNew();
        merge.Cancel();
        Assert.Equal(0, Kill(child, SIGCONT));
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))) == run, "the merge task did not return after Cancel");

        Assert.False(await run);
        Assert.True(stopwatch.Elapsed < merge.CancelGrace, $"the child took {stopwatch.Elapsed} to stop: it was killed, not cancelled");
        var error = Assert.Single(engine.Errors);
        Assert.Equal(ErrorCodes.Cancelled, error.Code);
        // The child said so itself, at the <LoraAdapter> line.
        Assert.Equal(project.ProjectFile, error.File);
        Assert.True(error.LineNumber > 0);
        AssertNothingLeft(project, child);
    }

    [Fact]
    public async Task A_child_that_does_not_answer_SIGTERM_is_killed_after_the_grace_period()
    {
        if (OperatingSystem.IsWindows()) return;
        using var project = LargeProject(out var describe, out var engine);
        var merge = TestProject.Merge(engine, describe.Models);
        merge.CancelGrace = TimeSpan.FromSeconds(1);
        var run = Task.Run(merge.Execute);
        var child = StopChildMidMerge(merge, run);

        // Stopped, the child cannot handle SIGTERM: only the kill after the grace period ends it.
        merge.Cancel();
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))) == run, "the merge task did not return after Cancel");

        Assert.False(await run);
        Assert.Contains(engine.Errors, e => e.Code == ErrorCodes.Cancelled);
        AssertNothingLeft(project, child);
    }

    /// <summary>Issue 17: Ctrl+C waited for ever on LoraDescribeModels, which was not an ICancelableTask.</summary>
    [Fact]
    public void The_describe_task_is_cancelable_and_stops_with_LORA1303()
    {
        using var project = TestProject.Create();
        var item = project.Adapter("adapters/large", Model: "Large", BaseModel: "base");
        LargeModel.Write(Path.Combine(project.Directory, "base"), Path.Combine(project.Directory, "adapters", "large"));
        var engine = new FakeBuildEngine(project.ProjectFile);
        var describe = project.Describe(engine, item);
        Assert.IsAssignableFrom<Microsoft.Build.Framework.ICancelableTask>(describe);

        ((Microsoft.Build.Framework.ICancelableTask)describe).Cancel();

        Assert.False(describe.Execute());
        Assert.Equal(ErrorCodes.Cancelled, Assert.Single(engine.Errors).Code);
        Assert.Empty(describe.Models);
    }

    private static TestProject LargeProject(out LoraDescribeModels describe, out FakeBuildEngine engine)
    {
        var project = TestProject.Create();
        var item = project.Adapter("adapters/large", Model: "Large", BaseModel: "base");
        LargeModel.Write(Path.Combine(project.Directory, "base"), Path.Combine(project.Directory, "adapters", "large"));
        engine = new FakeBuildEngine(project.ProjectFile);
        describe = project.Describe(engine, item);
        describe.Threads = "1";
        Assert.True(describe.Execute(), engine.AllErrors());
        // A previous merge's folder, which a cancelled merge must not leave looking current.
        var output = Path.Combine(project.Intermediate, "models", "Large");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "lora-merge.json"), "{}");
        return project;
    }

    /// <summary>Waits for the child to announce itself (its process id), then freezes it before it can finish.</summary>
    private static int StopChildMidMerge(LoraMergeModels merge, Task<bool> run)
    {
        var deadline = Stopwatch.StartNew();
        while (merge.ToolProcessId == 0)
        {
            Assert.False(run.IsCompleted, "the merge ended before its child announced itself");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the child never announced itself");
            Thread.SpinWait(1000);
        }
        var child = merge.ToolProcessId;
        Assert.Equal(0, Kill(child, SIGSTOP));
        Assert.False(run.IsCompleted, "the merge finished before the test could stop it; make LargeModel larger");
        return child;
    }

    private static void AssertNothingLeft(TestProject project, int child)
    {
        var models = Path.Combine(project.Intermediate, "models");
        Assert.False(Directory.Exists(Path.Combine(models, "Large")), "the previous merged folder survived a cancelled merge");
        Assert.Empty(Directory.Exists(models) ? Directory.GetDirectories(models, ".Large.tmp-*") : []);
        // No orphan: the child's pid is no longer a running process (a zombie would still show in /proc).
        Assert.False(Directory.Exists($"/proc/{child}"), $"the child {child} is still there");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
