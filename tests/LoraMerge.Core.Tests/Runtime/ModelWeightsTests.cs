using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Runtime;

namespace LoraMerge.Core.Tests.Runtime;

public class ModelWeightsTests
{
    [Fact]
    public void Open_maps_every_tensor_in_description_order_with_its_values()
    {
        using var folder = ModelFolder.Standard().Write();
        using var weights = ModelWeights.Open(folder.Description(), folder.Directory);

        Assert.Equal(folder.Tensors.Select(t => t.Name), weights.Tensors.Select(t => t.Name));
        var embed = weights["model.embed_tokens.weight"];
        Assert.Equal(DType.F32, embed.DType);
        Assert.Equal(new long[] { 2, 3 }, embed.Shape);
        Assert.Equal(6, embed.ElementCount);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, -6f }, embed.AsFloat32().ToArray());
        Assert.Equal(ModelFolder.Bytes(1f, 2f, 3f, 4f, 5f, -6f), embed.Data.ToArray());

        var q = weights.Tensors[1];
        Assert.Equal(new ushort[] { 0x3F80, 0x4000, 0xBF80, 0x4040 }, q.AsBFloat16Bits().ToArray());
        Assert.Equal(new[] { 1f, 2f, -1f, 3f }, q.ToFloat32Array());

        var norm = weights.Tensors[2];
        Assert.Equal(new[] { (Half)0.5f, (Half)(-2f) }, norm.AsHalf().ToArray());
        Assert.Equal(new[] { 0.5f, -2f }, norm.ToFloat32Array());

        Assert.Equal(new[] { 0.25f, 1e10f }, weights.Tensors[3].ToFloat32Array());
    }

    [Fact]
    public void Typed_views_refuse_other_dtypes_and_copy_needs_the_exact_length()
    {
        using var folder = ModelFolder.Standard().Write();
        using var weights = ModelWeights.Open(folder.Description(), folder.Directory);
        var embed = weights.Tensors[0];

        var e = Assert.Throws<InvalidOperationException>(() => embed.AsHalf().Length);
        Assert.Contains("is F32, not F16", e.Message);
        Assert.Throws<InvalidOperationException>(() => weights.Tensors[2].AsBFloat16Bits().Length);
        Assert.Throws<ArgumentException>(() => embed.CopyToFloat32(new float[5]));
    }

    [Fact]
    public void Integer_tensors_are_bytes_only_and_cannot_be_widened_to_float()
    {
        using var folder = new ModelFolder().Add("model.safetensors", "ids", DType.I32, [3], ModelFolder.Bytes(7, 8, 9)).Write();
        using var weights = ModelWeights.Open(folder.Description(), folder.Directory);
        Assert.Equal(ModelFolder.Bytes(7, 8, 9), weights.Tensors[0].Data.ToArray());
        Assert.Throws<InvalidOperationException>(() => weights.Tensors[0].CopyToFloat32(new float[3]));
    }

    [Fact]
    public void Float8_tensors_widen_to_float()
    {
        using var folder = new ModelFolder()
            .Add("model.safetensors", "a", DType.F8_E4M3, [4], [0x38, 0x7E, 0xB8, 0x01])
            .Add("model.safetensors", "b", DType.F8_E5M2, [3], [0x3C, 0x7C, 0xC0])
            .Write();
        using var weights = ModelWeights.Open(folder.Description(), folder.Directory);
        Assert.Equal(new[] { 1f, 448f, -1f, MathF.ScaleB(1, -9) }, weights["a"].ToFloat32Array());
        Assert.Equal(new[] { 1f, float.PositiveInfinity, -2f }, weights["b"].ToFloat32Array());
    }

    [Fact]
    public void Tensors_spread_over_several_files_are_all_mapped()
    {
        using var folder = new ModelFolder()
            .Add("model-00001-of-00002.safetensors", "a.weight", DType.F32, [1], ModelFolder.Bytes(1f))
            .Add("model-00002-of-00002.safetensors", "b.weight", DType.F32, [2], ModelFolder.Bytes(2f, 3f))
            .Write();
        using var weights = ModelWeights.Open(folder.Description(), folder.Directory, verifyHashes: true);
        Assert.Equal(new[] { 2f, 3f }, weights["b.weight"].AsFloat32().ToArray());
        Assert.Equal("model-00002-of-00002.safetensors", weights["b.weight"].File);
    }

    [Fact]
    public void Load_without_a_directory_uses_the_artifact_under_the_application_folder()
    {
        var artifact = Path.Combine("models", "runtime-test-" + Guid.NewGuid().ToString("N"));
        var target = Path.Combine(AppContext.BaseDirectory, artifact);
        using var folder = ModelFolder.Standard().Write();
        Directory.CreateDirectory(target);
        try
        {
            foreach (var file in Directory.GetFiles(folder.Directory)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            using var weights = ModelWeights.Load(folder.Description(artifact: artifact));
            Assert.Equal(Path.GetFullPath(target), weights.Source);
            Assert.Equal(4, weights.Tensors.Count);
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void Missing_folder_fails_with_the_folder_and_the_artifact()
    {
        using var unwritten = ModelFolder.Standard(); // disposed: its (empty) temp folder must not be left behind
        var description = unwritten.Description();
        var missing = Path.Combine(Path.GetTempPath(), "lora-no-such-folder-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.Open(description, missing));
        Assert.Equal(ErrorCodes.ModelArtifactMissing, e.Code);
        Assert.Contains($"the folder '{missing}' does not exist", e.Message);
        Assert.Contains("models/Test", e.Message);
        Assert.Equal("Test", e.ModelName);
    }

    [Fact]
    public void Missing_weight_file_fails_naming_it()
    {
        using var folder = ModelFolder.Standard().Write();
        File.Delete(folder.PathOf("model.safetensors"));
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.Open(folder.Description(), folder.Directory));
        Assert.Equal(ErrorCodes.ModelArtifactMissing, e.Code);
        Assert.Contains("the weight file 'model.safetensors' is missing", e.Message);
    }

    [Fact]
    public void Missing_metadata_file_fails_when_a_fingerprint_was_compiled_in()
    {
        using var folder = ModelFolder.Standard().Write();
        File.Delete(folder.PathOf(ModelDescription.MetadataFileName));
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.Open(folder.Description(), folder.Directory));
        Assert.Equal(ErrorCodes.ModelArtifactMissing, e.Code);
        Assert.Contains("has no lora-merge.json", e.Message);

        using var unchecked_ = ModelWeights.Open(folder.Description(fingerprint: ""), folder.Directory);
        Assert.Equal(4, unchecked_.Tensors.Count);
    }

    [Fact]
    public void Stale_folder_fails_with_both_fingerprints()
    {
        using var folder = ModelFolder.Standard().Write(fingerprint: "0000aaaa");
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.Open(folder.Description(), folder.Directory));
        Assert.Equal(ErrorCodes.ModelArtifactStale, e.Code);
        Assert.Contains("is stale", e.Message);
        Assert.Contains("fingerprint '0000aaaa'", e.Message);
        Assert.Contains($"compiled against '{ModelFolder.Fingerprint}'", e.Message);
    }

    [Fact]
    public void Metadata_without_a_fingerprint_is_stale()
    {
        using var folder = ModelFolder.Standard().Write(fingerprint: null);
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.Open(folder.Description(), folder.Directory));
        Assert.Equal(ErrorCodes.ModelArtifactStale, e.Code);
        Assert.Contains("has no fingerprint", e.Message);
    }

    [Fact]
    public void Invalid_metadata_json_is_corrupt()
    {
        using var folder = ModelFolder.Standard().Write();
        File.WriteAllText(folder.PathOf(ModelDescription.MetadataFileName), "{\"fingerprint\": ");
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.Open(folder.Description(), folder.Directory));
        Assert.Equal(ErrorCodes.ModelArtifactCorrupt, e.Code);
        Assert.Contains("lora-merge.json is not valid JSON", e.Message);
    }

    [Fact]
    public void Truncated_weight_file_is_corrupt()
    {
        using var folder = ModelFolder.Standard().Write();
        var path = folder.PathOf("model.safetensors");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.Open(folder.Description(), folder.Directory));
        Assert.Equal(ErrorCodes.ModelArtifactCorrupt, e.Code);
        Assert.Contains("the weight file 'model.safetensors'", e.Message);
        Assert.Contains("is corrupt", e.Message);
        Assert.IsAssignableFrom<LoraException>(e.InnerException);
    }

    [Fact]
    public void Wrong_shape_fails_with_both_shapes()
    {
        using var folder = ModelFolder.Standard().Write();
        var compiled = folder.Description();
        var changed = new ModelDescription(compiled.Name, compiled.Artifact, false, compiled.Fingerprint,
            compiled.Tensors.Select(t => t.Name == "model.embed_tokens.weight" ? t with { Shape = [3, 2] } : t).ToArray());
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.Open(changed, folder.Directory));
        Assert.Equal(ErrorCodes.ModelArtifactMismatch, e.Code);
        Assert.Contains("tensor 'model.embed_tokens.weight' is F32 [2, 3] in 'model.safetensors' but was compiled as F32 [3, 2]", e.Message);
    }

    [Fact]
    public void Wrong_dtype_missing_and_extra_tensors_are_all_listed()
    {
        using var folder = ModelFolder.Standard().Write();
        var compiled = folder.Description();
        var changed = new ModelDescription(compiled.Name, compiled.Artifact, false, compiled.Fingerprint,
            compiled.Tensors.Where(t => t.Name != "lm_head.weight")
                .Select(t => t.Name == "model.norm.weight" ? t with { DType = DType.BF16 } : t)
                .Append(new TensorDescription("model.extra", DType.F32, [1], "model.safetensors"))
                .ToArray());
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.Open(changed, folder.Directory));
        Assert.Equal(ErrorCodes.ModelArtifactMismatch, e.Code);
        Assert.Contains("tensor 'model.norm.weight' is F16 [2] in 'model.safetensors' but was compiled as BF16 [2]", e.Message);
        Assert.Contains("tensor 'model.extra' is missing from 'model.safetensors'", e.Message);
        Assert.Contains("tensor 'lm_head.weight' in 'model.safetensors' was not compiled in", e.Message);
    }

    [Fact]
    public void Hash_verification_catches_a_flipped_byte_that_the_headers_cannot()
    {
        using var folder = ModelFolder.Standard().Write();
        var path = folder.PathOf("model.safetensors");
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        using (var unverified = ModelWeights.Open(folder.Description(), folder.Directory))
        {
            Assert.Equal(4, unverified.Tensors.Count);
        }
        var e = Assert.Throws<ModelLoadException>(() => ModelWeights.Open(folder.Description(), folder.Directory, verifyHashes: true));
        Assert.Equal(ErrorCodes.ModelArtifactHashMismatch, e.Code);
        Assert.Contains("the sha256 of 'model.safetensors'", e.Message);
        Assert.Contains("the file is corrupt", e.Message);
    }

    [Fact]
    public void Hash_verification_passes_on_an_intact_folder()
    {
        using var folder = ModelFolder.Standard().Write();
        using var weights = ModelWeights.Open(folder.Description(), folder.Directory, verifyHashes: true);
        Assert.Equal(-6f, weights.Tensors[0].AsFloat32()[5]);
    }

    [Fact]
    public void Disposed_weights_refuse_access_to_data()
    {
        using var folder = ModelFolder.Standard().Write();
        var weights = ModelWeights.Open(folder.Description(), folder.Directory);
        var tensor = weights.Tensors[0];
        weights.Dispose();
        Assert.True(weights.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => tensor.Data.Length);
        weights.Dispose();
    }
}
