extern alias tasks;
using System.Collections;
using Microsoft.Build.Framework;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

/// <summary>Collects what a task logs (dotnet/sdk's MockBuildEngine idiom).</summary>
internal sealed class FakeBuildEngine(string projectFile) : IBuildEngine
{
    public List<BuildErrorEventArgs> Errors { get; } = [];
    public List<BuildWarningEventArgs> Warnings { get; } = [];
    public List<BuildMessageEventArgs> Messages { get; } = [];

    public bool ContinueOnError => false;
    public int LineNumberOfTaskNode => 0;
    public int ColumnNumberOfTaskNode => 0;
    public string ProjectFileOfTaskNode => projectFile;

    public void LogErrorEvent(BuildErrorEventArgs e)
    {
        lock (Errors) Errors.Add(e);
    }

    public void LogWarningEvent(BuildWarningEventArgs e)
    {
        lock (Warnings) Warnings.Add(e);
    }

    public void LogMessageEvent(BuildMessageEventArgs e)
    {
        lock (Messages) Messages.Add(e);
    }

    public void LogCustomEvent(CustomBuildEventArgs e)
    {
    }

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
        throw new NotSupportedException();

    public string AllErrors() => string.Join("\n", Errors.Select(e => $"{e.Code} {e.File}({e.LineNumber}): {e.Message}"));
}
