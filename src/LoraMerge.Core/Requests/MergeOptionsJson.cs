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

    private static JsonElement? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static LoraException Invalid(string message, string path) => new(ErrorCodes.InvalidMergeOptions, "The merge request's " + message, path);
}
