using LoraMerge.Merging;
using LoraMerge.Models;
using LoraMerge.Peft;

namespace LoraMerge.Provenance;

/// <summary>
/// What one merge records about where its output came from: the sha256 of every input and output file (each computed
/// at most once, in the background, through the per-user hash cache), the inputs' fingerprint, and
/// <c>lora-merge.json</c>. The planner computes the fingerprint with it; the engine hands the same one to the run.
/// </summary>
internal sealed class MergeProvenance
{
    private readonly FileHashes _hashes = new();
    private IReadOnlyList<FileRecord> _outputs = [];

    /// <summary>The inputs' identity, from headers and small files only (<see cref="InputFingerprint"/>).</summary>
    public string Fingerprint(ModelDirectory baseModel, IReadOnlyList<PeftAdapter> adapters, MergeOptions options) =>
        InputFingerprint.Compute(baseModel, adapters, options, _hashes);

    /// <summary>
    /// The merge's identity by content (the merge store's key): the tool version, the fingerprint (options, adapters,
    /// headers), and the sha256 of every base file, weights included. Hashes come from the per-user cache when the
    /// files are unchanged, so a file that was only touched is hashed again and keeps its key.
    /// </summary>
    public string ContentKey(MergePlan plan)
    {
        var text = new System.Text.StringBuilder();
        text.Append("loramerge-store-v1\n").Append(ToolVersion.Value).Append('\n').Append(plan.Fingerprint).Append('\n');
        foreach (var file in BaseFiles(plan.BaseModel).Order(StringComparer.Ordinal))
            text.Append(Relative(plan.BaseModel.Path, file)).Append(' ').Append(_hashes.Get(file)).Append('\n');
        foreach (var adapter in plan.Adapters)
            text.Append(_hashes.Get(adapter.ConfigPath)).Append(' ').Append(_hashes.Get(adapter.WeightsPath)).Append('\n');
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Starts hashing the base's files in the background, while the merge computes.</summary>
    public void StartHashingInputs(ModelDirectory baseModel)
    {
        foreach (var input in BaseFiles(baseModel))
            _hashes.Start(input);
    }

    /// <summary><paramref name="copy"/> is a byte-for-byte copy of <paramref name="original"/>: same hash.</summary>
    public void Copied(string copy, string original) => _hashes.Provide(copy, _hashes.Start(original));

    /// <summary>An output whose hash was computed while it was written.</summary>
    public void Written(string path, Task<string> sha256) => _hashes.Provide(path, sha256);

    /// <summary>
    /// Hashes <paramref name="writingPath"/> while it is written. When its first <paramref name="samePrefixLength"/>
    /// bytes are those of <paramref name="samePrefixOf"/> (a base shard it mirrors), the hash resumes from that file's
    /// latest saved state within them instead of byte 0.
    /// </summary>
    public ProgressiveHash HashWhileWritten(string writingPath, string? samePrefixOf = null, long samePrefixLength = 0) =>
        new(writingPath, samePrefixOf is null ? null : _hashes.CheckpointAtOrBefore(samePrefixOf, samePrefixLength));

    /// <summary>Writes <c>lora-merge.json</c> into <paramref name="output"/>: every file of the folder so far, hashed.</summary>
    public void WriteReport(OutputFolder output, MergePlan plan, IReadOnlyList<TensorChange> changes, string backend)
    {
        _outputs = Directory.EnumerateFiles(output.TempPath, "*", SearchOption.AllDirectories)
            .Select(f => new FileRecord(Relative(output.TempPath, f), new FileInfo(f).Length, _hashes.Start(f, useCache: false).GetAwaiter().GetResult()))
            .OrderBy(r => r.Path, StringComparer.Ordinal)
            .ToList();
        var baseRecords = BaseFiles(plan.BaseModel).Select(f => Record(plan.BaseModel.Path, f)).OrderBy(r => r.Path, StringComparer.Ordinal).ToList();
        var adapterRecords = plan.Adapters.Select(a => (IReadOnlyList<FileRecord>)
            [Record(a.Directory, a.ConfigPath), Record(a.Directory, a.WeightsPath)]).ToArray();
        MergeReport.Write(output.PathOf(MergeReport.FileName), plan, output.FinalPath, baseRecords, adapterRecords, _outputs, changes, backend);
    }

    /// <summary>
    /// Once the output folder is in place: keeps its files' hashes in the per-user cache, so a later merge onto this
    /// output need not hash it again.
    /// </summary>
    public void RememberOutputs(string finalDirectory)
    {
        foreach (var file in _outputs)
            _hashes.Remember(Path.Combine(finalDirectory, file.Path), file.Sha256);
    }

    private static IEnumerable<string> BaseFiles(ModelDirectory baseModel) =>
        baseModel.Weights.ShardPaths
            .Concat(baseModel.Weights.IndexPath is { } i ? [i] : [])
            .Append(baseModel.ConfigPath)
            .Concat(baseModel.CompanionFiles.Select(c => Path.Combine(baseModel.Path, c)));

    private FileRecord Record(string root, string file) => new(Relative(root, file), new FileInfo(file).Length, _hashes.Get(file));

    private static string Relative(string root, string file) => Path.GetRelativePath(root, file).Replace('\\', '/');
}
