namespace LoraMerge.Peft;

/// <summary>
/// A parsed adapter tensor key. PEFT saves <c>base_model.model.&lt;module&gt;.&lt;suffix&gt;</c> with the adapter name
/// removed; keys that still carry a name (<c>lora_A.default.weight</c>, <c>lora_embedding_A.default</c>,
/// <c>modules_to_save.default.weight</c>) are accepted too.
/// </summary>
/// <param name="ModuleKey">The module path inside the base model with <c>.base_layer</c> segments removed.</param>
/// <param name="BaseTensorName">For <see cref="AdapterTensorRole.FullParameter"/>: the base tensor it stands for.</param>
/// <param name="FromModulesToSave">The key had a <c>modules_to_save.&lt;name&gt;</c> segment.</param>
/// <param name="Parameter">For <see cref="AdapterTensorRole.VariantParameter"/>: the PEFT parameter name, e.g. <c>hada_w1_a</c>.</param>
internal sealed record AdapterTensorKey(AdapterTensorRole Role, string ModuleKey, string? BaseTensorName, bool FromModulesToSave, string? Parameter = null)
{
    public const string Prefix = "base_model.model.";

    private static readonly AdapterTensorKey Unknown = new(AdapterTensorRole.Unknown, "", null, false);

    public static AdapterTensorKey Parse(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal)) return Unknown;
        var segments = key[Prefix.Length..].Split('.').ToList();
        if (segments.Any(s => s.Length == 0)) return Unknown;

        bool fromModulesToSave = false;
        int saveAt = segments.IndexOf("modules_to_save");
        if (saveAt >= 1 && saveAt + 2 < segments.Count)
        {
            segments.RemoveRange(saveAt, 2);
            fromModulesToSave = true;
        }

        for (int i = 1; i < segments.Count; i++)
        {
            if (VariantModuleBuilder.ParameterKinds.ContainsKey(segments[i]))
            {
                // ParameterDict entries: "<module>.hada_w1_a" or, with the adapter name kept, "<module>.hada_w1_a.default".
                return segments.Count - i - 1 <= 1
                    ? new AdapterTensorKey(AdapterTensorRole.VariantParameter, ModulePath(segments, i), null, fromModulesToSave, segments[i])
                    : Unknown;
            }
            var role = MarkerRole(segments, i);
            if (role is null) continue;
            string module = ModulePath(segments, i);
            return role == AdapterTensorRole.Unknown ? Unknown : new AdapterTensorKey(role.Value, module, null, fromModulesToSave);
        }

        if (segments.Count < 2) return Unknown;
        string moduleKey = ModulePath(segments, segments.Count - 1);
        return new AdapterTensorKey(AdapterTensorRole.FullParameter, moduleKey, moduleKey + "." + segments[^1], fromModulesToSave);
    }

    // Null: segment i is no LoRA marker. Unknown: it is one, but the rest of the key has the wrong shape.
    private static AdapterTensorRole? MarkerRole(List<string> segments, int i)
    {
        var tail = segments.Skip(i + 1).ToList();
        switch (segments[i])
        {
            case "lora_A":
                return IsParam(tail, "weight") ? AdapterTensorRole.LoraA : AdapterTensorRole.Unknown;
            case "lora_B":
                if (IsParam(tail, "weight")) return AdapterTensorRole.LoraB;
                return IsParam(tail, "bias") ? AdapterTensorRole.LoraBBias : AdapterTensorRole.Unknown;
            case "lora_embedding_A":
                return tail.Count <= 1 ? AdapterTensorRole.EmbeddingA : AdapterTensorRole.Unknown;
            case "lora_embedding_B":
                return tail.Count <= 1 ? AdapterTensorRole.EmbeddingB : AdapterTensorRole.Unknown;
            case "lora_magnitude_vector":
                return tail.Count <= 1 || IsParam(tail, "weight") ? AdapterTensorRole.Magnitude : AdapterTensorRole.Unknown;
            case "token_adapter":
                return tail.Count is 1 or 2 && tail[0] == "trainable_tokens_delta" ? AdapterTensorRole.TrainableTokensDelta : AdapterTensorRole.Unknown;
            default:
                return null;
        }
    }

    // "weight" or "<adapter name>.weight".
    private static bool IsParam(List<string> tail, string param) =>
        (tail.Count == 1 && tail[0] == param) || (tail.Count == 2 && tail[1] == param);

    private static string ModulePath(List<string> segments, int end) =>
        string.Join('.', segments.Take(end).Where(s => s != "base_layer"));
}
