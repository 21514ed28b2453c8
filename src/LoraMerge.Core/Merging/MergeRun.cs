using System.Diagnostics;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Provenance;

namespace LoraMerge.Merging;

/// <summary>One execution of a <see cref="MergePlan"/> into an <see cref="OutputFolder"/>, recorded in its <see cref="MergeProvenance"/>.</summary>
internal sealed class MergeRun(
    MergePlan plan,
    MergeProvenance provenance,
    OutputFolder output,
    IProgress<MergeProgress>? progress,
    CancellationToken cancellationToken,
    Stopwatch clock)
{
    private readonly List<TensorChange> _changes = [];

    private int _tensorsDone;
    private long _bytesDone;

    public void WriteAll(MergeBackend backend)
    {
        provenance.StartHashingInputs(plan.BaseModel);
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
                    provenance.Written(gguf.Path, Task.FromResult(gguf.Finish()));
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
        provenance.WriteReport(output, plan, _changes, backend.Name);
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
            provenance.Copied(path, mirrored.FilePath);
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
        using (var hash = shard.MirrorOf is { } mirror
            ? provenance.HashWhileWritten(destination.WritingPath, mirror.FilePath, SamePrefixLength(shard, mirror))
            : provenance.HashWhileWritten(destination.WritingPath))
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
            provenance.Written(path, hash.Complete(destination.FileLength));
            destination.Complete();
        }
    }

    /// <summary>
    /// A mirrored shard is byte for byte its base up to the first tensor that changes: its hash can resume from the
    /// base's saved hash state there.
    /// </summary>
    private static long SamePrefixLength(OutputShard shard, SafetensorsHeader mirror) =>
        shard.Jobs.Where(j => j.Action != TensorAction.Copy)
            .Select(j => mirror.DataStart + j.Base.Tensor.DataOffset)
            .DefaultIfEmpty(mirror.FileLength).Min();

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
}
