using System.Diagnostics;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>
/// The output folder is replaced in one step and nothing is left beside it; temporaries of killed merges are removed by
/// the next merge there, a running merge's are not (issue 17: kill -9 left 5.8 GB of .out.tmp-* for good).
/// </summary>
public sealed class OutputFolderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private MergeOptions Options() => MergeCase.Load("linear_bf16").Options(_temp.File("out"));

    private string[] Siblings() => Directory.GetDirectories(_temp.Path).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void ReplacingAnOutputLeavesOnlyTheNewOne()
    {
        var options = Options();
        Directory.CreateDirectory(options.OutputDirectory);
        File.WriteAllText(Path.Combine(options.OutputDirectory, "stale.txt"), "old");

        var result = MergeEngine.Merge(options);

        Assert.False(File.Exists(Path.Combine(options.OutputDirectory, "stale.txt")));
        Assert.True(File.Exists(Path.Combine(options.OutputDirectory, "lora-merge.json")));
        Assert.Equal(["out"], Siblings());
        Assert.DoesNotContain(result.Warnings, w => w.Code == LoraMerge.Diagnostics.ErrorCodes.PreviousOutputNotRemoved);
    }

    [LinuxFact]
    public void TemporariesOfDeadProcessesAreRemovedAndALiveOnesKept()
    {
        // A process that has exited: its id and start time name a merge that can no longer be writing.
        int deadPid;
        string deadStart;
        using (var sleeper = Process.Start("sleep", "60")!)
        {
            deadStart = StartOf(sleeper.Id);
            deadPid = sleeper.Id;
            sleeper.Kill();
            sleeper.WaitForExit();
        }
        string liveStart = StartOf(Environment.ProcessId);
        Directory.CreateDirectory(_temp.File($".out.tmp-{deadPid}-{deadStart}-0123"));
        Directory.CreateDirectory(_temp.File($".out.old-{deadPid}-{deadStart}-4567"));
        Directory.CreateDirectory(_temp.File(".out.tmp-0123456789abcdef")); // named before process stamps
        Directory.CreateDirectory(_temp.File($".out.tmp-{Environment.ProcessId}-{liveStart}-89ab"));
        Directory.CreateDirectory(_temp.File($".other.tmp-{deadPid}-{deadStart}-cdef"));

        MergeEngine.Merge(Options());

        Assert.Equal([$".other.tmp-{deadPid}-{deadStart}-cdef", $".out.tmp-{Environment.ProcessId}-{liveStart}-89ab", "out"], Siblings());
    }

    /// <summary>Issue 17: an output name over ~210 characters failed on its temporary's longer name.</summary>
    [Fact]
    public void AnOutputNameNearTheFileSystemLimitWorks()
    {
        string name = new string('m', 240);
        var options = MergeCase.Load("linear_bf16").Options(_temp.File(name));

        MergeEngine.Merge(options);

        Assert.True(File.Exists(Path.Combine(options.OutputDirectory, "lora-merge.json")));
        Assert.Equal([name], Siblings());
    }

    private sealed class RecordingSync(string finalPath) : LoraMerge.FileSystem.IFileSync
    {
        public List<string> Calls { get; } = [];

        public void File(string path) => Calls.Add($"file {System.IO.Path.GetFileName(path)} published={System.IO.File.Exists(System.IO.Path.Combine(finalPath, "report.json"))}");

        public void Directory(string path) => Calls.Add($"folder {(path == System.IO.Path.GetDirectoryName(finalPath) ? "parent" : System.IO.Path.GetFileName(path).StartsWith(".out.tmp-", StringComparison.Ordinal) ? "temp" : System.IO.Path.GetFileName(path))} published={System.IO.File.Exists(System.IO.Path.Combine(finalPath, "report.json"))}");
    }

    /// <summary>
    /// Issue 17: a power cut after an exit code 0 left a 0-byte model. Every file and folder is flushed before the rename
    /// that publishes them, the parent after it (the order git and SQLite use), for a new output and for a replaced one.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryFileIsFlushedBeforeThePublishingRenameAndTheParentAfter(bool replacing)
    {
        string final = _temp.File("out");
        if (replacing)
        {
            Directory.CreateDirectory(final);
            File.WriteAllText(Path.Combine(final, "old.txt"), "old");
        }
        var sync = new RecordingSync(final);
        using var output = OutputFolder.Create(final, overwrite: true, sync);
        File.WriteAllText(output.PathOf("model.bin"), "weights");
        Directory.CreateDirectory(output.PathOf("sub"));
        File.WriteAllText(output.PathOf(Path.Combine("sub", "tokenizer.json")), "{}");
        File.WriteAllText(output.PathOf("report.json"), "{}");

        Assert.Null(output.Commit());

        Assert.Equal(
            [
                "file model.bin published=False", "file report.json published=False", "file tokenizer.json published=False",
                "folder sub published=False", "folder temp published=False", "folder parent published=True",
            ],
            sync.Calls.Take(3).Order(StringComparer.Ordinal).Concat(sync.Calls.Skip(3)).ToArray());
        Assert.True(File.Exists(Path.Combine(final, "report.json")));
        Assert.False(File.Exists(Path.Combine(final, "old.txt")));
    }

    /// <summary>A process's start time as /proc/&lt;pid&gt;/stat gives it (field 22, clock ticks since boot).</summary>
    private static string StartOf(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
    }

    private static bool Run(string file, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>
    /// Issue 17: --force over an old output that cannot be fully deleted reported LORA1302 after the new model was in
    /// place. Now the new model stays and the leftover is warning LORA1906. (An immutable file makes the deletion fail,
    /// even for root; where chattr is not available the test has nothing to set up and says so.)
    /// </summary>
    [LinuxFact]
    public void AnUndeletablePreviousOutputIsAWarningAndTheNewModelIsInPlace()
    {
        var options = Options();
        Directory.CreateDirectory(options.OutputDirectory);
        string stuck = Path.Combine(options.OutputDirectory, "stuck.txt");
        File.WriteAllText(stuck, "old");
        if (!Run("chattr", "+i", stuck))
            return; // no immutable files on this file system: nothing to set up
        try
        {
            var result = MergeEngine.Merge(options);

            var warning = Assert.Single(result.Warnings, w => w.Code == LoraMerge.Diagnostics.ErrorCodes.PreviousOutputNotRemoved);
            Assert.Contains("could not be removed", warning.Message);
            Assert.True(File.Exists(Path.Combine(options.OutputDirectory, "lora-merge.json")));
            Assert.False(File.Exists(Path.Combine(options.OutputDirectory, "stuck.txt")));
        }
        finally
        {
            foreach (var leftover in Directory.GetFiles(_temp.Path, "stuck.txt", SearchOption.AllDirectories))
                Run("chattr", "-i", leftover);
        }
    }

    /// <summary>Issue 17: on a read-only volume the free-space message ("only 1.0 MiB is free") hid the real problem.</summary>
    [LinuxFact]
    public void AReadOnlyVolumeIsSaidAsSuch()
    {
        string mount = _temp.File("ro");
        Directory.CreateDirectory(mount);
        if (!Run("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mount))
            return; // not allowed to mount here: nothing to set up
        try
        {
            var error = Assert.Throws<LoraMerge.Diagnostics.LoraException>(() => MergeEngine.Merge(Options() with { OutputDirectory = Path.Combine(mount, "out") }));
            Assert.Equal(LoraMerge.Diagnostics.ErrorCodes.OutputNotWritable, error.Code);
            Assert.Contains("read-only", error.Message);
        }
        finally
        {
            Run("umount", mount);
        }
    }
}
