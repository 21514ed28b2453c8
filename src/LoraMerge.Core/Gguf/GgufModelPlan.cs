using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Gguf.Architectures;
using LoraMerge.Gguf.Tokenizers;
using LoraMerge.Models;

namespace LoraMerge.Gguf;

/// <summary>One tensor of the GGUF file and where its values come from.</summary>
/// <param name="SourceName">The checkpoint tensor; null for one the converter computes (<see cref="Generated"/>).</param>
/// <param name="PermutedHeads">Heads whose rows are reordered for llama.cpp's rope (0: rows stay in order).</param>
internal sealed record GgufTensorSource(string? SourceName, DType SourceDType, GgufTensorSpec Spec, int PermutedHeads, float[]? Generated)
{
    public GgufRowEncoder Encoder => new(SourceDType, Spec.Type, Spec.Columns);
}

/// <summary>
/// Preflight of a GGUF output, from config.json, the tokenizer files and the checkpoint's headers only: the
/// architecture, every tensor's GGUF name and type, the metadata. Every error is raised here, before anything is written.
/// </summary>
internal sealed class GgufModelPlan
{
    private GgufModelPlan(string architecture, GgufTensorType type, IReadOnlyList<GgufMetadataEntry> metadata, IReadOnlyList<GgufTensorSource> tensors)
    {
        Architecture = architecture;
        Type = type;
        Metadata = metadata;
        Tensors = tensors;
        Layout = GgufLayout.Build(metadata, tensors.Select(t => t.Spec).ToArray());
    }

    public string Architecture { get; }

    /// <summary>The type of the matrices (vectors stay F32; Q8_0 rows not a multiple of 32 fall back to F16).</summary>
    public GgufTensorType Type { get; }

    public IReadOnlyList<GgufMetadataEntry> Metadata { get; }

    /// <summary>In file order: the checkpoint's tensors in the order given, then computed ones.</summary>
    public IReadOnlyList<GgufTensorSource> Tensors { get; }

    public GgufLayout Layout { get; }

    /// <param name="tensors">The merged model's tensors in output order (name, stored dtype, shape, file for errors).</param>
    /// <param name="requested">Null: the checkpoint's own float type (F32, F16 or BF16).</param>
    public static GgufModelPlan Create(ModelDirectory model, IReadOnlyList<(string Name, DType DType, long[] Shape, string File)> tensors, GgufTensorType? requested)
    {
        var architecture = GgufArchitecture.For(model.Config);
        var hp = GgufHyperparameters.Read(model.ConfigPath);
        bool tied = model.Config.TieWordEmbeddings;
        var embedding = tensors.FirstOrDefault(t => t.Name == "model.embed_tokens.weight");
        if (embedding.Name is null)
            throw new LoraException(ErrorCodes.UnmappedTensor, "The checkpoint has no model.embed_tokens.weight, which llama.cpp needs as token_embd.", model.Path);
        if (embedding.Shape.Length != 2 || embedding.Shape[0] != hp.VocabSize)
            throw new LoraException(ErrorCodes.VocabularySizeMismatch,
                $"config.json's vocab_size is {hp.VocabSize} but model.embed_tokens.weight has shape [{string.Join(", ", embedding.Shape)}].", model.ConfigPath);
        var type = requested ?? DefaultType(embedding.DType, embedding.File);

        var sources = new List<GgufTensorSource>();
        foreach (var (name, dtype, shape, file) in tensors)
        {
            if (architecture.GgufName(name, tied, file) is not { } ggufName)
                continue;
            if (!DTypes.IsMergeable(dtype))
                throw new LoraException(ErrorCodes.UnmappedTensor, $"Tensor '{name}' is {dtype}; GGUF output converts F32, F16 and BF16 tensors.", file);
            var tensorType = shape.Length <= 1 ? GgufTensorType.F32
                : type == GgufTensorType.Q8_0 && shape[^1] % GgufTensorTypes.Q8BlockElements != 0 ? GgufTensorType.F16
                : type;
            int heads = architecture.PermutedHeads(ggufName, hp);
            if (heads > 0)
                CheckPermutable(name, shape, heads, file);
            sources.Add(new GgufTensorSource(name, dtype, new GgufTensorSpec(ggufName, shape, tensorType), heads, null));
        }
        if (hp.RopeScaling?.FrequencyFactors(hp) is { } factors)
            sources.Add(new GgufTensorSource(null, DType.F32, new GgufTensorSpec("rope_freqs.weight", [factors.Length], GgufTensorType.F32), 0, factors));

        var metadata = new List<GgufMetadataEntry>
        {
            new("general.architecture", GgufValue.Of(architecture.Name)),
            new("general.file_type", GgufValue.Of(GgufTensorTypes.FileType(type))),
            new("general.quantization_version", GgufValue.Of(2u)),
        };
        metadata.AddRange(hp.Entries(architecture.Name));
        metadata.AddRange(GgufTokenizerConverter.Convert(model.Path, hp.VocabSize));
        return new GgufModelPlan(architecture.Name, type, metadata, sources);
    }

    private static GgufTensorType DefaultType(DType dtype, string file) => dtype switch
    {
        DType.F32 => GgufTensorType.F32,
        DType.F16 => GgufTensorType.F16,
        DType.BF16 => GgufTensorType.BF16,
        _ => throw new LoraException(ErrorCodes.InvalidGgufType, $"The embedding is {dtype}; name a GGUF type ({string.Join(", ", GgufTensorTypes.Names)}).", file),
    };

    private static void CheckPermutable(string name, long[] shape, int heads, string file)
    {
        long rows = shape[0];
        if (rows % heads != 0 || rows / heads % 2 != 0)
            throw new LoraException(ErrorCodes.GgufHyperparameter,
                $"Tensor '{name}' has {rows} rows, which do not split into {heads} heads of an even size as llama.cpp's rope layout needs.", file);
    }

    /// <summary>Where the converter moves row (or, for a vector, element) <paramref name="index"/> of a q/k projection.</summary>
    public static long PermutedIndex(long index, long count, int heads)
    {
        long perHead = count / heads;
        long half = perHead / 2;
        long head = index / perHead;
        long within = index % perHead;
        return head * perHead + within % half * 2 + within / half;
    }
}
