using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Gguf;
using LoraMerge.Models;
using LoraMerge.Peft;
using LoraMerge.Provenance;

namespace LoraMerge.Merging;

/// <summary>
/// Preflight: decides, from file headers only, what produces every output tensor, and rejects anything that does not
/// fit (missing or misshapen base tensors, untargeted or unused adapter tensors, unsupported dtypes, conflicts).
/// </summary>
internal sealed class MergePlanner
{
    private readonly MergeOptions _options;
    private readonly Action<LoraWarning> _warn;
    private readonly ModelDirectory _base;
    private readonly Dictionary<string, TensorJob> _jobs = new(StringComparer.Ordinal);

    private MergePlanner(MergeOptions options, Action<LoraWarning> warn, ModelDirectory baseModel)
    {
        _options = options;
        _warn = warn;
        _base = baseModel;
    }

    /// <param name="provenance">Computes the inputs' fingerprint; the run that writes this plan then records into it.</param>
    public static MergePlan Create(MergeOptions options, Action<LoraWarning>? onWarning, MergeProvenance provenance)
    {
        MergeOptionsValidator.Validate(options);
        var baseModel = ModelDirectory.Open(options.BaseModelDirectory);
        var adapters = options.Adapters.Select(a => WithRegexTimeout(a.Directory, () => PeftAdapter.Open(a.Directory))).ToArray();
        CombinationPlanner.CheckAdapters(options, adapters);
        var planner = new MergePlanner(options, onWarning ?? (_ => { }), baseModel);
        var shards = planner.LayOutShards();
        for (int i = 0; i < adapters.Length; i++)
        {
            int index = i;
            WithRegexTimeout(adapters[i].Directory, () => planner.AddAdapter(index, adapters[index], options.Adapters[index].Weight));
        }
        planner.CheckDoraIsAlone(adapters);
        CombinationPlanner.Apply(options, adapters, planner._jobs.Values);
        planner.PlaceRoundings();
        var jobs = shards.SelectMany(s => s.Jobs).ToArray();
        var gguf = options.Formats.HasFlag(OutputFormats.Gguf)
            ? GgufModelPlan.Create(baseModel, jobs.Select(j => (j.Name, j.Base.DType, j.Base.Shape, j.Base.Shard.FilePath)).ToArray(), options.GgufType)
            : null;
        var plan = new MergePlan(options, baseModel, adapters, jobs, shards, provenance.Fingerprint(baseModel, adapters, options), gguf);
        long safetensorsBytes = !plan.WritesSafetensors ? 0 : plan.TotalBytes + new FileInfo(baseModel.ConfigPath).Length
            + baseModel.CompanionFiles.Sum(f => new FileInfo(Path.Combine(baseModel.Path, f)).Length);
        FreeSpaceCheck.Ensure(options.OutputDirectory, safetensorsBytes + (gguf?.Layout.FileLength ?? 0));
        return plan;
    }

    private List<OutputShard> LayOutShards()
    {
        var checkpoint = _base.Weights;
        var shards = new List<OutputShard>();
        if (_options.MaxShardSize is not { } budget)
        {
            for (int i = 0; i < checkpoint.Shards.Count; i++)
            {
                var header = checkpoint.Shards[i];
                var shard = new OutputShard(Path.GetFileName(checkpoint.ShardPaths[i]), header);
                foreach (var t in header.Tensors)
                    AddJob(new TensorJob(new BaseTensorRef(header, t), shard));
                shards.Add(shard);
            }
            return shards;
        }

        var all = checkpoint.AllTensors.ToArray();
        var groups = ShardLayout.ByByteBudget(all.Select(a => TensorSpec.From(a.Tensor)).ToArray(), budget);
        int next = 0;
        for (int g = 0; g < groups.Count; g++)
        {
            var shard = new OutputShard(ShardLayout.ShardFileName(g + 1, groups.Count), null);
            foreach (var _ in groups[g])
            {
                var (header, tensor) = all[next++];
                AddJob(new TensorJob(new BaseTensorRef(header, tensor), shard));
            }
            shards.Add(shard);
        }
        return shards;
    }

    private void AddJob(TensorJob job)
    {
        _jobs.Add(job.Name, job);
        job.Shard.Add(job);
    }

    private void AddAdapter(int index, PeftAdapter adapter, double weight)
    {
        // PEFT fills a missing target_modules from its per-architecture defaults when it loads (and always saves the
        // modules it resolved): with none stated, which of the adapter's tensors PEFT would use is not known here.
        if (adapter.Config.TargetModules.Kind == TargetModulesKind.None && (adapter.Modules.Count > 0 || adapter.VariantModules.Count > 0))
            throw new LoraException(ErrorCodes.InvalidAdapterValue,
                "adapter_config.json has no target_modules. PEFT would fill them from its defaults for the base's architecture, and merging every module the adapter has tensors for could apply weights PEFT ignores; add target_modules (the modules named by its lora_A tensors).",
                adapter.ConfigPath);
        CheckBaseModelName(adapter);
        if (adapter.Config.ExpectsModifiedBase)
            _warn(new LoraWarning(ErrorCodes.ModifiedBaseInitialisation,
                $"The adapter was initialised with init_lora_weights=\"{adapter.Config.InitLoraWeights}\", which trains against a modified base; merging onto the original base is right only if it was converted back to plain LoRA when saved.",
                adapter.ConfigPath));
        var untargeted = new List<string>();
        foreach (var module in adapter.Modules)
        {
            if (!adapter.Config.Targets.IsTargeted(module.ModuleKey))
            {
                untargeted.Add(module.A.Name);
                untargeted.Add(module.B.Name);
                continue;
            }
            AddModule(index, adapter, module, weight);
        }
        foreach (var module in adapter.VariantModules)
        {
            if (!adapter.Config.Targets.IsTargeted(module.ModuleKey))
            {
                untargeted.AddRange(module.Factors.Values.Select(t => t.Name));
                continue;
            }
            AddVariantModule(index, adapter, module, weight);
        }
        if (untargeted.Count > 0)
            throw new LoraException(ErrorCodes.UnusedAdapterTensors,
                $"The adapter has tensors for modules its adapter_config.json does not target (target_modules: {adapter.Config.TargetModules}), so PEFT would not load them: {Summarise(untargeted)}.",
                adapter.WeightsPath);

        foreach (var replacement in adapter.Replacements)
        {
            if (IsTiedOutputEmbeddingCopy(replacement))
                continue;
            var job = FindBaseTensor(adapter, replacement.BaseTensorName, replacement.Source.Name);
            RequireShape(adapter, job, replacement.Source, job.Base.Shape, "replacement");
            RequireMergeable(adapter, job, replacement.Source);
            SetReplacement(adapter, job, new ReplacementSource(index, replacement.Source, null,
                ActsAsBase: replacement.Kind is ReplacementKind.SavedEmbedding or ReplacementKind.Bias));
        }

        foreach (var tokens in adapter.TrainableTokens)
        {
            var job = FindBaseTensor(adapter, tokens.BaseTensorName, tokens.Delta.Name);
            RequireMergeable(adapter, job, tokens.Delta);
            if (job.Base.Shape.Length != 2 || tokens.Delta.Shape.Length != 2 || tokens.Delta.Shape[1] != job.Base.Shape[1]
                || tokens.Delta.Shape[0] != tokens.Indices.Length)
                throw ShapeError(adapter, tokens.Delta, job, $"[{tokens.Indices.Length}, {(job.Base.Shape.Length == 2 ? job.Base.Shape[1] : 0)}]");
            if (tokens.Indices.Any(i => i < 0 || i >= job.Base.Shape[0]))
                throw new LoraException(ErrorCodes.ShapeMismatch,
                    $"trainable_token_indices of '{tokens.Delta.Name}' reach past the {job.Base.Shape[0]} rows of '{job.Name}'.", adapter.ConfigPath);
            SetReplacement(adapter, job, new ReplacementSource(index, tokens.Delta, tokens.Indices, ActsAsBase: false));
        }
    }

    private void AddModule(int index, PeftAdapter adapter, LoraModule module, double weight)
    {
        var job = FindWeight(adapter, module);
        RequireMergeable(adapter, job, module.A);
        RequireMergeable(adapter, job, module.B);
        var orientation = Orient(adapter, module, job);
        float scale = (float)adapter.Config.ScalingFor(module.ModuleKey, weight);
        if (job.Replacement is { ActsAsBase: false })
            throw Conflict(adapter, job, "it is also replaced by an adapter's modules_to_save copy or trainable token rows");
        // PEFT's embedding merge, and its safe merge of Linear/Conv layers, add delta.to(dtype); DoRA does not.
        bool castsDelta = _options.Rounding == MergeRounding.Peft && module.Magnitude is null && job.Base.DType != DType.F32
            && (module.Kind == LoraModuleKind.Embedding || _options.SafeMerge);
        job.Add(new LowRankTerm(index, module.ModuleKey, module.A, module.B, orientation, scale, castsDelta));

        if (module.Magnitude is { } magnitude)
        {
            RequireMergeable(adapter, job, magnitude);
            bool perColumn = orientation == FactorOrientation.Transposed;
            long expected = perColumn ? job.Columns : job.Rows;
            if (magnitude.ElementCount != expected)
                throw ShapeError(adapter, magnitude, job, $"{expected} values");
            job.Dora = new DoraTerm(index, magnitude, perColumn);
        }

        if (module.BBias is { } bias)
        {
            if (!_jobs.TryGetValue(module.BaseBiasName, out var biasJob))
                throw new LoraException(ErrorCodes.LoraBiasWithoutBaseBias,
                    $"The adapter has lora_B.bias for '{module.ModuleKey}' (lora_bias=true) but the base layer has no bias tensor '{module.BaseBiasName}'; PEFT cannot merge this either.",
                    adapter.WeightsPath);
            RequireMergeable(adapter, biasJob, bias);
            if (bias.ElementCount != biasJob.Base.Tensor.ElementCount)
                throw ShapeError(adapter, bias, biasJob, biasJob.Base.Tensor.ShapeText);
            biasJob.Add(new LowRankTerm(index, module.ModuleKey, bias, bias, FactorOrientation.Bias, scale));
        }
    }

    /// <summary>A LoHa, LoKr or IA3 module on a Linear layer (or, for IA3, a GPT-2 Conv1D): checked here, merged on the CPU.</summary>
    private void AddVariantModule(int index, PeftAdapter adapter, VariantModule module, double weight)
    {
        var job = FindBaseTensor(adapter, module.BaseWeightName, module.Factors.Values.First().Name);
        foreach (var factor in module.Factors.Values)
            RequireMergeable(adapter, job, factor);
        if (job.Replacement is { ActsAsBase: false })
            throw Conflict(adapter, job, "it is also replaced by an adapter's modules_to_save copy or trainable token rows");
        var w = job.Base.Shape;
        if (w.Length != 2)
            throw new LoraException(ErrorCodes.ShapeMismatch,
                $"'{job.Name}' has shape {job.Base.Tensor.ShapeText}; LoraMerge merges {adapter.Config.PeftType} adapters into Linear layers (2-D weights) only.", adapter.WeightsPath);
        switch (module.Kind)
        {
            case PeftKind.LoHa:
            {
                var (w1a, w1b) = (module.Factor("hada_w1_a"), module.Factor("hada_w1_b"));
                if (w[0] != w1a.Shape[0] || w[1] != w1b.Shape[1])
                    throw ShapeError(adapter, w1a, job, $"[{w1a.Shape[0]}, {w1b.Shape[1]}] (LoHa on an nn.Linear)");
                float scale = (float)(weight * module.Alpha / module.Rank);
                job.Add(new HadamardTerm(index, module.ModuleKey, w1a, w1b, module.Factor("hada_w2_a"), module.Factor("hada_w2_b"), scale));
                break;
            }
            case PeftKind.LoKr:
            {
                var w1 = new KroneckerFactor(module.OptionalFactor("lokr_w1"), module.OptionalFactor("lokr_w1_a"), module.OptionalFactor("lokr_w1_b"));
                var w2 = new KroneckerFactor(module.OptionalFactor("lokr_w2"), module.OptionalFactor("lokr_w2_a"), module.OptionalFactor("lokr_w2_b"));
                if (w[0] != w1.Rows * w2.Rows || w[1] != w1.Columns * w2.Columns)
                    throw ShapeError(adapter, module.Factors.Values.First(), job,
                        $"[{w1.Rows * w2.Rows}, {w1.Columns * w2.Columns}] (kron of ({w1.Rows}, {w1.Columns}) and ({w2.Rows}, {w2.Columns}), LoKr on an nn.Linear)");
                float scale = (float)(weight * module.Alpha / module.Rank);
                job.Add(new KroneckerTerm(index, module.ModuleKey, w1, w2, scale));
                break;
            }
            case PeftKind.Ia3:
                AddIa3(index, adapter, module, job, weight);
                break;
        }
    }

    /// <summary>
    /// IA3 multiplies the weight by <c>ia3_l</c>: (out, 1) scales output features, (1, in) (a feed-forward module) input
    /// features, and for a GPT-2 Conv1D (stored (in, out)) PEFT transposes the vector. A non-feed-forward vector also scales the bias.
    /// </summary>
    private void AddIa3(int index, PeftAdapter adapter, VariantModule module, TensorJob job, double weight)
    {
        if (weight != 1.0)
            throw new LoraException(ErrorCodes.InvalidMergeOptions,
                $"IA3 adapters have no scale: their vectors multiply the weights, so the adapter's weight must be 1, not {weight}.", adapter.ConfigPath);
        var l = module.Factor("ia3_l");
        var w = job.Base.Shape;
        bool feedForward = l.Shape[0] == 1 && l.Shape[1] != 1;
        long features = feedForward ? l.Shape[1] : l.Shape[0];
        bool fitsLinear = feedForward ? w[1] == features : w[0] == features;
        bool fitsConv1D = feedForward ? w[0] == features : w[1] == features;
        if (!fitsLinear && !fitsConv1D)
            throw ShapeError(adapter, l, job, feedForward ? $"[*, {features}]" : $"[{features}, *]");
        bool conv1D = fitsConv1D && (!fitsLinear || WeightLayout.StoresConv1D(_base.Config, module.ModuleKey));
        bool perRow = feedForward == conv1D;
        job.Add(new ScaleTerm(index, module.ModuleKey, l, perRow));
        if (!feedForward && _jobs.TryGetValue(module.BaseBiasName, out var biasJob))
        {
            RequireMergeable(adapter, biasJob, l);
            if (biasJob.Base.Tensor.ElementCount != features)
                throw ShapeError(adapter, l, biasJob, biasJob.Base.Tensor.ShapeText);
            biasJob.Add(new ScaleTerm(index, module.ModuleKey, l, PerRow: false));
        }
    }

    private TensorJob FindWeight(PeftAdapter adapter, LoraModule module)
    {
        if (_jobs.TryGetValue(module.BaseWeightName, out var job))
            return job;
        if (_base.Config.TieWordEmbeddings && module.ModuleKey.EndsWith("lm_head", StringComparison.Ordinal) && InputEmbedding() is { } embedding)
        {
            _warn(new LoraWarning(ErrorCodes.TiedEmbeddingsTargeted,
                $"'{module.ModuleKey}' is tied to '{embedding.Name}' (tie_word_embeddings=true and the base stores no '{module.BaseWeightName}'); its delta is merged into the shared weight, as PEFT's in-place merge does.",
                adapter.WeightsPath));
            return embedding;
        }
        return FindBaseTensor(adapter, module.BaseWeightName, module.A.Name);
    }

    /// <summary>
    /// A saved lm_head of a model with tied embeddings that stores no lm_head: PEFT's state dict lists the shared weight
    /// under both names, and the input embedding's copy is the one that lands in the merged model.
    /// </summary>
    private bool IsTiedOutputEmbeddingCopy(ReplacementTensor replacement) =>
        replacement.Kind == ReplacementKind.SavedEmbedding
        && _base.Config.TieWordEmbeddings
        && replacement.BaseTensorName.EndsWith("lm_head.weight", StringComparison.Ordinal)
        && !_jobs.ContainsKey(replacement.BaseTensorName)
        && InputEmbedding() is { } embedding
        && embedding.Base.Shape.AsSpan().SequenceEqual(replacement.Source.Shape);

    private TensorJob? InputEmbedding() =>
        _jobs.Values.FirstOrDefault(j => j.Name.EndsWith("embed_tokens.weight", StringComparison.Ordinal))
        ?? _jobs.Values.FirstOrDefault(j => j.Name.EndsWith("wte.weight", StringComparison.Ordinal) || j.Name.EndsWith("word_embeddings.weight", StringComparison.Ordinal));

    private TensorJob FindBaseTensor(PeftAdapter adapter, string baseName, string adapterTensor)
    {
        if (_jobs.TryGetValue(baseName, out var job))
            return job;
        throw new LoraException(ErrorCodes.NoBaseTensor,
            $"Adapter tensor '{adapterTensor}' belongs to '{baseName}', which the base model does not have. Is this adapter for another model?",
            adapter.WeightsPath);
    }

    /// <summary>Checks the factor shapes against the stored weight and picks how they line up with it.</summary>
    private FactorOrientation Orient(PeftAdapter adapter, LoraModule module, TensorJob job)
    {
        var w = job.Base.Shape;
        var a = module.A.Shape;
        var b = module.B.Shape;
        int r = module.Rank;
        switch (module.Kind)
        {
            case LoraModuleKind.Embedding:
                // lora_embedding_A (r, vocab), lora_embedding_B (dim, r); the weight is (vocab, dim).
                if (w.Length != 2 || a.Length != 2 || b.Length != 2 || a[0] != r || b[1] != r || w[0] != a[1] || w[1] != b[0])
                    throw ShapeError(adapter, module.A, job, $"[{(a.Length == 2 ? a[1] : '?')}, {(b.Length == 2 ? b[0] : '?')}]");
                return FactorOrientation.Transposed;
            case LoraModuleKind.Conv:
                // lora_A (r, in, *k), lora_B (out, r, 1…); the weight is (out, in, *k).
                if (w.Length != a.Length || b.Length != a.Length || a[0] != r || b[1] != r || w[0] != b[0]
                    || !w.AsSpan(1).SequenceEqual(a.AsSpan(1)) || b.Skip(2).Any(d => d != 1))
                    throw ShapeError(adapter, module.A, job, "[out, in, kernel…] matching lora_A (r, in, kernel…) and lora_B (out, r, 1…)");
                return FactorOrientation.Direct;
            default:
                if (w.Length != 2 || a.Length != 2 || b.Length != 2 || a[0] != r || b[1] != r)
                    throw ShapeError(adapter, module.A, job, $"[{(b.Length == 2 ? b[0] : '?')}, {(a.Length == 2 ? a[1] : '?')}]");
                long inFeatures = a[1], outFeatures = b[0];
                bool asLinear = w[0] == outFeatures && w[1] == inFeatures;
                bool asConv1D = w[0] == inFeatures && w[1] == outFeatures;
                if (!asLinear && !asConv1D)
                    throw ShapeError(adapter, module.A, job, $"[{outFeatures}, {inFeatures}]");
                bool transposed = asConv1D && (!asLinear || WeightLayout.StoresConv1D(_base.Config, module.ModuleKey));
                if (transposed != adapter.Config.FanInFanOut)
                    _warn(new LoraWarning(ErrorCodes.FanInFanOutMismatch,
                        $"'{job.Name}' is stored as {(transposed ? "(in, out) like GPT-2's Conv1D" : "(out, in) like nn.Linear")} but adapter_config.json says fan_in_fan_out={adapter.Config.FanInFanOut.ToString().ToLowerInvariant()}; merging by the base layout, as PEFT does.",
                        adapter.ConfigPath));
                return transposed ? FactorOrientation.Transposed : FactorOrientation.Direct;
        }
    }

    private void SetReplacement(PeftAdapter adapter, TensorJob job, ReplacementSource source)
    {
        if (job.Replacement is not null)
            throw Conflict(adapter, job, "another adapter already replaces it");
        if ((job.Terms.Count > 0 || job.RowTerms.Count > 0) && !source.ActsAsBase)
            throw Conflict(adapter, job, "a LoRA delta also targets it");
        job.Replacement = source;
    }

    /// <summary>
    /// <c>Rounding="peft"</c>: PEFT merges adapters one after another into the stored weight, so a half-precision tensor
    /// that several terms change is rounded after each of them. (A DoRA tensor has a single term.)
    /// </summary>
    private void PlaceRoundings()
    {
        if (_options.Rounding != MergeRounding.Peft)
            return;
        foreach (var job in _jobs.Values)
            job.RoundsAfterEachAdapter = job.Dora is null && job.Base.DType != DType.F32 && job.Terms.Count + job.RowTerms.Count + job.CombinedTerms.Count > 1;
    }

    private void CheckDoraIsAlone(IReadOnlyList<PeftAdapter> adapters)
    {
        foreach (var job in _jobs.Values)
            if (job.Dora is { } dora && job.Terms.Count + job.RowTerms.Count > 1)
                throw Conflict(adapters[dora.AdapterIndex], job,
                    "DoRA rescales the whole weight, so a DoRA module cannot be merged together with another adapter's delta on the same module");
    }

    private void CheckBaseModelName(PeftAdapter adapter)
    {
        string? expected = adapter.Config.BaseModelNameOrPath;
        string? actual = _base.Config.NameOrPath;
        if (string.IsNullOrEmpty(expected) || string.IsNullOrEmpty(actual))
            return;
        static string Last(string p) => p.TrimEnd('/', '\\').Split('/', '\\')[^1];
        if (!string.Equals(Last(expected), Last(actual), StringComparison.OrdinalIgnoreCase))
            _warn(new LoraWarning(ErrorCodes.BaseModelNameMismatch,
                $"The adapter was trained on '{expected}' but the base model's config.json names '{actual}'.", adapter.ConfigPath));
    }

    private static void RequireMergeable(PeftAdapter adapter, TensorJob job, TensorInfo adapterTensor)
    {
        if (!DTypes.IsMergeable(job.Base.DType))
            throw new LoraException(ErrorCodes.UnsupportedDType,
                $"Base tensor '{job.Name}' is {job.Base.DType}; only F32, F16 and BF16 weights can be merged into.", job.Base.Shard.FilePath);
        if (!DTypes.IsMergeable(adapterTensor.DType))
            throw new LoraException(ErrorCodes.UnsupportedDType,
                $"Adapter tensor '{adapterTensor.Name}' is {adapterTensor.DType}; adapters must store F32, F16 or BF16.", adapter.WeightsPath);
    }

    private static void RequireShape(PeftAdapter adapter, TensorJob job, TensorInfo source, long[] expected, string what)
    {
        if (!source.Shape.AsSpan().SequenceEqual(expected))
            throw new LoraException(ErrorCodes.ShapeMismatch,
                $"The adapter's {what} '{source.Name}' has shape {source.ShapeText} but base tensor '{job.Name}' has {job.Base.Tensor.ShapeText}.", adapter.WeightsPath);
    }

    private static LoraException ShapeError(PeftAdapter adapter, TensorInfo adapterTensor, TensorJob job, string expected) =>
        new(ErrorCodes.ShapeMismatch,
            $"Adapter tensor '{adapterTensor.Name}' ({adapterTensor.ShapeText}) does not fit base tensor '{job.Name}' ({job.Base.Tensor.ShapeText}); expected {expected}.",
            adapter.WeightsPath);

    private static LoraException Conflict(PeftAdapter adapter, TensorJob job, string why) =>
        new(ErrorCodes.ConflictingAdapters, $"Cannot merge into '{job.Name}': {why}.", adapter.Directory);

    private static string Summarise(List<string> names) =>
        names.Count <= 8 ? string.Join(", ", names) : string.Join(", ", names.Take(8)) + $" and {names.Count - 8} more";

    /// <summary>A pattern of the adapter's config that backtracks without end is a coded error, not a hang.</summary>
    private static T WithRegexTimeout<T>(string adapterDirectory, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException e)
        {
            throw new LoraException(ErrorCodes.InvalidAdapterValue,
                $"A pattern of adapter_config.json did not finish matching module '{e.Input}' within {PythonRegex.MatchTimeout.TotalSeconds:0} s (it backtracks without end); simplify it.",
                Path.Combine(adapterDirectory, AdapterConfig.FileName), e);
        }
    }

    private static void WithRegexTimeout(string adapterDirectory, Action work) =>
        WithRegexTimeout(adapterDirectory, () => { work(); return 0; });
}
