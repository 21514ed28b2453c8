using System.Text.Json;
using LoraMerge.Diagnostics;
using LoraMerge.Gguf;
using LoraMerge.Merging;

namespace LoraMerge.Requests;

/// <summary>
/// <see cref="MergeOptions"/> as JSON, for the request file. The one place a new option is added to the request: write
/// it in <see cref="Write"/>, read it in <see cref="Read"/> (absent means its default, so older requests still read).
/// Numbers are JSON numbers (weights round-trip exactly), names are the ones the CLI and the item metadata use.
/// </summary>
public static class MergeOptionsJson
{
    public static void Write(Utf8JsonWriter json, MergeOptions options)
    {
        json.WriteStartObject();
        json.WriteString("baseModel", options.BaseModelDirectory);
        json.WriteStartArray("adapters");
        foreach (var adapter in options.Adapters)
        {
            json.WriteStartObject();
            json.WriteString("directory", adapter.Directory);
            json.WriteNumber("weight", adapter.Weight);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("outputDirectory", options.OutputDirectory);
        json.WriteBoolean("safeMerge", options.SafeMerge);
        json.WriteString("rounding", options.Rounding == MergeRounding.Peft ? "peft" : "single");
        if (options.Combination is { } combination) WriteCombination(json, combination);
        if (options.MaxShardSize is { } maxShardSize) json.WriteNumber("maxShardSize", maxShardSize);
        json.WriteNumber("threads", options.Threads);
        json.WriteString("backend", MergeBackendNames.Name(options.Backend));
        json.WriteStartArray("formats");
        foreach (var name in OutputFormatNames.Names(options.Formats)) json.WriteStringValue(name);
        json.WriteEndArray();
        if (options.GgufType is { } ggufType) json.WriteString("ggufType", GgufTensorTypes.Name(ggufType));
        json.WriteBoolean("overwrite", options.Overwrite);
        json.WriteBoolean("durable", options.Durable);
        if (options.Store is { } store)
            json.WriteString("store", store);
        json.WriteEndObject();
    }

    public static MergeOptions Read(JsonElement element, string requestPath)
    {
        var adapters = new List<AdapterInput>();
        foreach (var adapter in element.GetProperty("adapters").EnumerateArray())
            adapters.Add(new AdapterInput(adapter.GetProperty("directory").GetString()!, adapter.GetProperty("weight").GetDouble()));

        var backendName = Optional(element, "backend")?.GetString();
        if (!MergeBackendNames.TryParse(backendName, out var backend))
            throw Invalid($"backend '{backendName}' is not one of {string.Join(", ", MergeBackendNames.Names)}.", requestPath);

        var formatNames = Optional(element, "formats")?.EnumerateArray().Select(f => f.GetString() ?? "") ?? [];
        if (!OutputFormatNames.TryParse(string.Join(";", formatNames), out var formats))
            throw Invalid($"formats must be {OutputFormatNames.Accepted}.", requestPath);

        var rounding = Optional(element, "rounding")?.GetString() switch
        {
            null or "single" => MergeRounding.Single,
            "peft" => MergeRounding.Peft,
            var other => throw Invalid($"rounding '{other}' is not single or peft.", requestPath),
        };

        GgufTensorType? ggufType = null;
        if (Optional(element, "ggufType")?.GetString() is { Length: > 0 } ggufName)
        {
            ggufType = GgufTensorTypes.TryParse(ggufName, out var type)
                ? type
                : throw new LoraException(ErrorCodes.InvalidGgufType, $"ggufType '{ggufName}' is not one of {string.Join(", ", GgufTensorTypes.Names)}.", requestPath);
        }

        return new MergeOptions
        {
            BaseModelDirectory = element.GetProperty("baseModel").GetString()!,
            Adapters = adapters,
            OutputDirectory = element.GetProperty("outputDirectory").GetString()!,
            SafeMerge = Optional(element, "safeMerge")?.GetBoolean() ?? true,
            Rounding = rounding,
            Combination = ReadCombination(Optional(element, "combination"), requestPath),
            MaxShardSize = Optional(element, "maxShardSize")?.GetInt64(),
            Threads = Optional(element, "threads")?.GetInt32() ?? 0,
            Backend = backend,
            Formats = formats,
            GgufType = ggufType,
            Overwrite = Optional(element, "overwrite")?.GetBoolean() ?? true,
            Durable = Optional(element, "durable")?.GetBoolean() ?? true,
            Store = Optional(element, "store")?.GetString(),
        };
    }

    /// <summary><c>"combination": {"type": "ties", "density": 0.5, "majoritySignMethod": "total", "svdRank": 8, "seed": 0}</c>; absent: no combination.</summary>
    internal static void WriteCombination(Utf8JsonWriter json, AdapterCombination combination)
    {
        json.WriteStartObject("combination");
        json.WriteString("type", CombinationTypes.Name(combination.Type));
        if (combination.Density is { } density) json.WriteNumber("density", density);
        json.WriteString("majoritySignMethod", CombinationTypes.SignMethodName(combination.MajoritySign));
        if (combination.SvdRank is { } svdRank) json.WriteNumber("svdRank", svdRank);
        json.WriteNumber("seed", combination.Seed);
        json.WriteEndObject();
    }

    private static AdapterCombination? ReadCombination(JsonElement? element, string requestPath)
    {
        if (element is not { } c)
            return null;
        var typeName = Optional(c, "type")?.GetString();
        if (!CombinationTypes.TryParse(typeName, out var type))
            throw Invalid($"combination type '{typeName}' is not one of {string.Join(", ", CombinationTypes.Names)}.", requestPath);
        var signName = Optional(c, "majoritySignMethod")?.GetString() ?? "total";
        if (!CombinationTypes.TryParseSignMethod(signName, out var sign))
            throw Invalid($"majoritySignMethod '{signName}' is not total or frequency.", requestPath);
        return new AdapterCombination(type, Optional(c, "density")?.GetDouble(), sign, Optional(c, "svdRank")?.GetInt32(),
            Optional(c, "seed")?.GetUInt64() ?? AdapterCombination.DefaultSeed);
    }

    private static JsonElement? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static LoraException Invalid(string message, string path) => new(ErrorCodes.InvalidMergeOptions, "The merge request's " + message, path);
}
