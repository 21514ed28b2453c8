using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LoraMerge.Gguf;
using LoraMerge.Merging;
using LoraMerge.Models;
using LoraMerge.Peft;

namespace LoraMerge.Provenance;

/// <summary>
/// A cheap identity of a merge's inputs, computed from headers (never the base weights): the base's config and every
/// shard's size and header, each adapter's config and weights file, the weights and the output layout. The merged
/// folder records it; a generated model class compares it to detect an artifact built from other inputs.
/// </summary>
internal static class InputFingerprint
{
    public const int Version = 1;

    public static string Compute(ModelDirectory baseModel, IReadOnlyList<PeftAdapter> adapters, MergeOptions options, FileHashes hashes)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"loramerge-inputs-v{Version}\n");
        text.Append(CultureInfo.InvariantCulture, $"base config {hashes.Get(baseModel.ConfigPath)}\n");
        foreach (var shard in baseModel.Weights.Shards)
            text.Append(CultureInfo.InvariantCulture, $"base shard {Path.GetFileName(shard.FilePath)} {new FileInfo(shard.FilePath).Length} {HashPrefix(shard.FilePath, shard.DataStart)}\n");
        for (int i = 0; i < adapters.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"adapter {i} weight {options.Adapters[i].Weight.ToString("R", CultureInfo.InvariantCulture)}\n");
            text.Append(CultureInfo.InvariantCulture, $"adapter {i} config {hashes.Get(adapters[i].ConfigPath)}\n");
            text.Append(CultureInfo.InvariantCulture, $"adapter {i} weights {hashes.Get(adapters[i].WeightsPath)}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"max shard size {options.MaxShardSize?.ToString(CultureInfo.InvariantCulture) ?? "base"}\n");
        if (options.Rounding != MergeRounding.Single)
        {
            // PEFT's rounding points depend on safe merge, so both change the output bytes.
            text.Append(CultureInfo.InvariantCulture, $"rounding {options.Rounding} safe merge {options.SafeMerge}\n");
        }
        if (options.Combination is { } c)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"combination {CombinationTypes.Name(c.Type)} density {c.Density?.ToString("R", CultureInfo.InvariantCulture) ?? "none"} sign {CombinationTypes.SignMethodName(c.MajoritySign)} svd rank {c.SvdRank?.ToString(CultureInfo.InvariantCulture) ?? "max"} seed {c.Seed.ToString(CultureInfo.InvariantCulture)} rounding {options.Rounding} safe merge {options.SafeMerge}\n");
        }
        if (options.Formats != OutputFormats.Safetensors)
        {
            // The GGUF carries the tokenizer, so its files are inputs too.
            text.Append(CultureInfo.InvariantCulture, $"formats {options.Formats} gguf type {(options.GgufType is { } t ? GgufTensorTypes.Name(t) : "base")}\n");
            foreach (var companion in baseModel.CompanionFiles)
                text.Append(CultureInfo.InvariantCulture, $"base file {companion} {hashes.Get(Path.Combine(baseModel.Path, companion))}\n");
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string HashPrefix(string path, long length)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        return Convert.ToHexStringLower(SHA256.HashData(buffer));
    }
}
