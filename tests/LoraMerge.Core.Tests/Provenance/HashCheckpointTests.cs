using System.Security.Cryptography;
using System.Text.Json;
using LoraMerge.Core.Tests.Merging;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Formats;
using LoraMerge.Merging;
using LoraMerge.Provenance;

namespace LoraMerge.Core.Tests.Provenance;

/// <summary>Hashes that resume from a saved state: of a cached base file, and of a merged file that starts like its base.</summary>
public sealed class HashCheckpointTests
{
    private const int MiB = 1 << 20;

    [LinuxTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ProgressiveHashResumesFromTheCheckpointItIsGiven(bool samePrefix)
    {
        using var temp = new TempDirectory();
        string path = temp.File("out.bin");
        var content = new byte[3 * MiB + 17];
        new Random(5).NextBytes(content);
        var prefix = samePrefix ? content.AsSpan(0, MiB).ToArray() : new byte[MiB];
        Sha256Checkpoint checkpoint;
        using (var sha = Sha256Stream.Start())
        {
            sha.Append(prefix);
            checkpoint = sha.Checkpoint()!.Value;
        }

        File.WriteAllBytes(path, content);
        using var hash = new ProgressiveHash(path, checkpoint);
        string result = await hash.Complete(content.Length);

        // With another prefix's state, the result is the hash of that prefix followed by the rest: the file's first
        // MiB was not read.
        var expected = prefix.Concat(content.Skip(MiB)).ToArray();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected)), result);
        Assert.Equal(samePrefix, result == Convert.ToHexStringLower(SHA256.HashData(content)));
    }

    [LinuxTheory]
    [InlineData(40L * MiB, 32L * MiB)]
    [InlineData(16L * MiB, 16L * MiB)]
    [InlineData(5L * MiB, 0L)]
    public async Task LargeFilesKeepCheckpointsEvery16MiBInThisMergeAndInTheCache(long offset, long expectedCheckpoint)
    {
        using var temp = new TempDirectory();
        string path = temp.File("big.bin");
        var content = new byte[64 * MiB + 1000];
        new Random(9).NextBytes(content);
        File.WriteAllBytes(path, content);

        var hashes = new FileHashes();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), await hashes.Start(path));
        var fromThisMerge = hashes.CheckpointAtOrBefore(path, offset);
        var fromTheCache = new FileHashes().CheckpointAtOrBefore(path, offset);

        if (expectedCheckpoint == 0)
        {
            Assert.Null(fromThisMerge);
            Assert.Null(fromTheCache);
            return;
        }
        Assert.Equal(fromThisMerge, fromTheCache);
        var checkpoint = fromThisMerge!.Value;
        Assert.Equal(expectedCheckpoint, checkpoint.Offset);
        using var resumed = Sha256Stream.Resume(checkpoint)!;
        resumed.Append(content.AsSpan((int)checkpoint.Offset));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), resumed.Finish());
    }

    [Fact]
    public void SmallFilesKeepNoCheckpoints()
    {
        using var temp = new TempDirectory();
        string path = temp.File("small.bin");
        File.WriteAllBytes(path, new byte[40 * MiB]);
        var hashes = new FileHashes();
        hashes.Get(path);
        Assert.Null(hashes.CheckpointAtOrBefore(path, 40 * MiB));
    }

    [LinuxTheory]
    [InlineData(DType.BF16)]
    [InlineData(DType.F32)]
    public void MergedFileWhoseHashResumesFromTheBaseRecordsItsTrueSha256(DType dtype)
    {
        using var temp = new TempDirectory();
        // A base over the cache threshold whose first 48 MiB (a large untouched embedding) the merge leaves as they are.
        string baseDir = Directory.CreateDirectory(temp.File("base")).FullName;
        int vocab = 48 * MiB / (SyntheticModels.Hidden * DTypes.SizeOf(dtype));
        File.WriteAllText(Path.Combine(baseDir, "config.json"), $$"""
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 12, "intermediate_size": 20,
             "num_attention_heads": 2, "num_key_value_heads": 2, "num_hidden_layers": 1, "vocab_size": {{vocab}},
             "tie_word_embeddings": false}
            """);
        var random = new Random(3);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        int h = SyntheticModels.Hidden, i = SyntheticModels.Intermediate;
        SyntheticModels.WriteSafetensors(Path.Combine(baseDir, "model.safetensors"), dtype,
        [
            ("model.embed_tokens.weight", [vocab, h], Values(vocab * h)),
            ("model.layers.0.self_attn.q_proj.weight", [h, h], Values(h * h)),
            ("model.layers.0.self_attn.v_proj.weight", [h, h], Values(h * h)),
            ("model.layers.0.mlp.down_proj.weight", [h, i], Values(h * i)),
            ("lm_head.weight", [vocab, h], Values(vocab * h)),
        ]);
        string adapter = SyntheticModels.WriteAdapter(temp.Path, "adapter", rank: 4, alpha: 8, seed: 4);

        string Merge(string name)
        {
            var result = MergeEngine.Merge(new MergeOptions
            {
                BaseModelDirectory = baseDir,
                Adapters = [new AdapterInput(adapter)],
                OutputDirectory = temp.File(name),
            });
            using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(result.OutputDirectory, MergeReport.FileName)));
            var weights = Assert.Single(report.RootElement.GetProperty("outputs").EnumerateArray(),
                o => o.GetProperty("path").GetString() == "model.safetensors");
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(result.OutputDirectory, "model.safetensors")))),
                weights.GetProperty("sha256").GetString());
            return weights.GetProperty("sha256").GetString()!;
        }

        string first = Merge("first");
        // The first merge hashed the base and kept its checkpoints; the second resumes its output hash from them.
        Assert.NotNull(new FileHashes().CheckpointAtOrBefore(Path.Combine(baseDir, "model.safetensors"), 48 * MiB));
        Assert.Equal(first, Merge("second"));
    }
}
