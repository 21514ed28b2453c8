using System.Diagnostics;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;

namespace LoraMerge.Merging;

/// <summary>One execution of a <see cref="MergePlan"/> into an <see cref="OutputFolder"/>.</summary>
internal sealed class MergeRun(
    MergePlan plan,
    OutputFolder output,
    IProgress<MergeProgress>? progress,
    CancellationToken cancellationToken,
    Stopwatch clock)
{
    private readonly List<TensorChange> _changes = [];

    /// <summary>The files written, relative to the output folder, with their sha256.</summary>
    public IReadOnlyList<FileRecord> Outputs { get; private set; } = [];
    private int _tensorsDone;
    private long _bytesDone;

    public void WriteAll(MergeBackend backend)
    {
        foreach (var input in BaseFiles())
            plan.Hashes.Start(input);
        var adapterFiles = plan.Adapters.Select(a => SafetensorsFile.Open(a.WeightsPath)).ToArray();
        var baseFiles = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (var shard in plan.BaseModel.Weights.Shards)
                baseFiles[shard.FilePath] = SafetensorsFile.Open(shard.FilePath);
            // By default one core is left to the thread that hashes each output shard while it is written.
            int threads = plan.Options.Threads > 0 ? plan.Options.Threads : Math.Max(1, Environment.ProcessorCount - 1);
            var merger = new TensorMerger(adapterFiles, i => $"'{Path.GetFileName(plan.Adapters[i].Directory.TrimEnd('/', '\\'))}'",
                threads, plan.Options.SafeMerge, cancellationToken);
            var producer = backend.CreateProducer(merger, adapterFiles, threads, cancellationToken);
            var gguf = plan.Gguf is { } layout ? GgufOutput.Create(output.PathOf(GgufOutput.FileName), layout, threads) : null;
            try
            {
                foreach (var shard in plan.Shards)
                {
                    if (plan.WritesSafetensors)
                        WriteShard(shard, baseFiles, producer, gguf);
                    else
                        WriteGgufOnly(shard, baseFiles, producer, gguf!);
                }
                if (gguf is not null)
                    plan.Hashes.Provide(gguf.Path, Task.FromResult(gguf.Finish()));
            }
            finally
            {
                gguf?.Dispose();
                (producer as IDisposable)?.Dispose();
            }
        }
        finally
        {
            foreach (var f in adapterFiles)
                f.Dispose();
            foreach (var f in baseFiles.Values)
                f.Dispose();
        }

        if (plan.WritesSafetensors)
        {
            WriteIndexIfSharded();
            CopyCompanionFiles();
        }
        Outputs = OutputRecords();
        var outputs = Outputs;
        var baseRecords = BaseRecords();
        var adapterRecords = plan.Adapters.Select(a => (IReadOnlyList<FileRecord>)
            [Record(a.Directory, a.ConfigPath), Record(a.Directory, a.WeightsPath)]).ToArray();
        MergeReport.Write(output.PathOf(MergeReport.FileName), plan, output.FinalPath, baseRecords, adapterRecords, outputs, _changes, backend.Name);
    }

    public IEnumerable<LoraWarning> RoundedAwayWarnings() =>
        _changes.Where(c => c.Action == TensorAction.Merge && c.ChangedElements == 0)
            .Select(c => new LoraWarning(ErrorCodes.EffectRoundedAway,
                $"The adapters' effect on '{c.Name}' rounded away entirely: the merged tensor equals the base bit for bit."));

    /// <summary>A GGUF without safetensors: each tensor goes from the base or the producer straight into the GGUF.</summary>
    private void WriteGgufOnly(OutputShard shard, Dictionary<string, SafetensorsFile> baseFiles, ITensorProducer producer, GgufOutput gguf)
    {
        foreach (var job in shard.Jobs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var baseFile = baseFiles[job.Base.Shard.FilePath];
            if (job.Action == TensorAction.Copy)
                gguf.CopyFrom(job.Name, baseFile, job.Base.Tensor);
            else
                _changes.Add(producer.Produce(job, baseFile, (offset, bytes) => gguf.Write(job.Name, offset, bytes)));
            gguf.Completed(job.Name);
            Advance(job);
        }
    }

    private void WriteShard(OutputShard shard, Dictionary<string, SafetensorsFile> baseFiles, ITensorProducer producer, GgufOutput? gguf)
    {
        string path = output.PathOf(shard.FileName);
        if (shard.MirrorOf is { } mirrored && shard.Jobs.All(j => j.Action == TensorAction.Copy))
        {
            File.Copy(mirrored.FilePath, path);
            plan.Hashes.Provide(path, plan.Hashes.Start(mirrored.FilePath));
            foreach (var job in shard.Jobs)
            {
                gguf?.CopyFrom(job.Name, baseFiles[job.Base.Shard.FilePath], job.Base.Tensor);
                gguf?.Completed(job.Name);
                Advance(job);
            }
            return;
        }

        var metadata = plan.BaseModel.Weights.Shards[0].Metadata;
        using (var destination = shard.MirrorOf is { } header
            ? ShardDestination.Mirror(path, header)
            : ShardDestination.New(path, shard.Jobs.Select(j => TensorSpec.From(j.Base.Tensor)).ToArray(), metadata))
        using (var hash = new ProgressiveHash(destination.WritingPath, shard.MirrorOf is { } mirror ? SamePrefixCheckpoint(shard, mirror) : null))
        {
            for (int index = 0; index < shard.Jobs.Count; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var job = shard.Jobs[index];
                var baseFile = baseFiles[job.Base.Shard.FilePath];
                int slot = index;
                if (job.Action == TensorAction.Copy)
                {
                    destination.CopyFrom(slot, baseFile.Handle, job.Base.Shard.DataStart + job.Base.Tensor.DataOffset, job.Base.ByteLength);
                    gguf?.CopyFrom(job.Name, baseFile, job.Base.Tensor);
                }
                else if (gguf is null)
                    _changes.Add(producer.Produce(job, baseFile, (offset, bytes) => destination.Write(slot, offset, bytes)));
                else
                    _changes.Add(producer.Produce(job, baseFile, (offset, bytes) =>
                    {
                        destination.Write(slot, offset, bytes);
                        gguf.Write(job.Name, offset, bytes);
                    }));
                hash.Advance(destination.EndOf(index));
                gguf?.Completed(job.Name);
                Advance(job);
            }
            plan.Hashes.Provide(path, hash.Complete(destination.FileLength));
            destination.Complete();
        }
    }

    /// <summary>
    /// A mirrored shard is byte for byte its base up to the first tensor that changes: its hash can resume from the
    /// base's saved hash state there.
    /// </summary>
    private Sha256Checkpoint? SamePrefixCheckpoint(OutputShard shard, SafetensorsHeader mirror)
    {
        long firstChange = shard.Jobs.Where(j => j.Action != TensorAction.Copy)
            .Select(j => mirror.DataStart + j.Base.Tensor.DataOffset)
            .DefaultIfEmpty(mirror.FileLength).Min();
        return plan.Hashes.CheckpointAtOrBefore(mirror.FilePath, firstChange);
    }

    private void Advance(TensorJob job)
    {
        _tensorsDone++;
        _bytesDone += job.Base.ByteLength;
        progress?.Report(new MergeProgress(_tensorsDone, plan.Jobs.Count, _bytesDone, plan.TotalBytes, clock.Elapsed, job.Name));
    }

    private void WriteIndexIfSharded()
    {
        var weights = plan.BaseModel.Weights;
        if (plan.Options.MaxShardSize is null)
        {
            if (weights.IndexPath is { } index)
                File.Copy(index, output.PathOf(Path.GetFileName(index)));
            return;
        }
        if (plan.Shards.Count == 1)
            return;
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var shard in plan.Shards)
            foreach (var job in shard.Jobs)
                map[job.Name] = shard.FileName;
        ShardLayout.WriteIndex(output.PathOf("model.safetensors.index.json"), plan.TotalBytes, map, null);
    }

    private void CopyCompanionFiles()
    {
        File.Copy(plan.BaseModel.ConfigPath, output.PathOf(Path.GetFileName(plan.BaseModel.ConfigPath)));
        foreach (var relative in plan.BaseModel.CompanionFiles)
        {
            string target = output.PathOf(relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(plan.BaseModel.Path, relative), target);
        }
    }

    private List<FileRecord> OutputRecords() =>
        Directory.EnumerateFiles(output.TempPath, "*", SearchOption.AllDirectories)
            .Select(f => new FileRecord(Path.GetRelativePath(output.TempPath, f).Replace('\\', '/'), new FileInfo(f).Length, plan.Hashes.Start(f, useCache: false).GetAwaiter().GetResult()))
            .OrderBy(r => r.Path, StringComparer.Ordinal)
            .ToList();

    private IEnumerable<string> BaseFiles() =>
        plan.BaseModel.Weights.ShardPaths
            .Concat(plan.BaseModel.Weights.IndexPath is { } i ? [i] : [])
            .Append(plan.BaseModel.ConfigPath)
            .Concat(plan.BaseModel.CompanionFiles.Select(c => Path.Combine(plan.BaseModel.Path, c)));

    private List<FileRecord> BaseRecords() =>
        BaseFiles().Select(f => Record(plan.BaseModel.Path, f)).OrderBy(r => r.Path, StringComparer.Ordinal).ToList();

    private FileRecord Record(string root, string file) =>
        new(Path.GetRelativePath(root, file).Replace('\\', '/'), new FileInfo(file).Length, plan.Hashes.Get(file));
}
