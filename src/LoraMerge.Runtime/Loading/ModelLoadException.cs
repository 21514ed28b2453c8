using LoraMerge.Diagnostics;

namespace LoraMerge.Runtime;

/// <summary>A model folder (or embedded model) that is missing, stale or corrupt. Codes are the <c>LORA15xx</c> block of <see cref="ErrorCodes"/>.</summary>
public sealed class ModelLoadException : LoraException
{
    public ModelLoadException(string code, string modelName, string message, string? filePath = null, Exception? inner = null)
        : base(code, message, filePath, inner)
    {
        ModelName = modelName;
    }

    public string ModelName { get; }
}
