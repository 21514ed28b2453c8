namespace LoraMerge.Contracts;

/// <summary>
/// The describe request (<c>obj/.../lora/describe.json</c>): what the <c>LoraDescribeModels</c> task hands
/// <c>lora-merge describe --request</c>. The task writes it (with paths already resolved against each item's defining
/// project), the tool reads it; these names are the one schema both use.
/// </summary>
internal static class DescribeRequestSchema
{
    public const int FormatVersion = 1;
    public const string FileName = "describe.json";

    public const string FormatVersionField = "formatVersion";
    /// <summary>Identity of the task assembly that wrote the request.</summary>
    public const string TasksField = "tasks";
    public const string ProjectFileField = "projectFile";
    public const string IntermediateDirectoryField = "intermediateDirectory";
    public const string ModelsDirectoryField = "modelsDirectory";
    public const string BackendField = "backend";
    public const string ThreadsField = "threads";
    /// <summary><c>$(LoraMergeStoreDirectory)</c> as a full path, or empty for no merge store.</summary>
    public const string StoreDirectoryField = "storeDirectory";
    /// <summary>Where the tool writes its <see cref="DescribeResult"/>.</summary>
    public const string ResultField = "result";
    public const string ItemsField = "items";

    public const string ItemSpecField = "spec";
    /// <summary>The adapter folder: <c>Include</c> as a full path.</summary>
    public const string ItemDirectoryField = "directory";
    /// <summary><c>BaseModel</c> as a full path, or empty when not set.</summary>
    public const string ItemBaseModelField = "baseModel";
    public const string ItemFileField = "file";
    public const string ItemLineField = "line";
    public const string ItemColumnField = "column";
    /// <summary>An object: each <see cref="AdapterMetadata.Known"/> name with its value as written.</summary>
    public const string ItemMetadataField = "metadata";
}
