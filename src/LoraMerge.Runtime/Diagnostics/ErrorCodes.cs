namespace LoraMerge.Diagnostics;

/// <summary>
/// Every diagnostic code LoraMerge reports. Codes are stable: never renumber one, add new ones at the end of their block.
/// docs/diagnostics.md documents each code.
/// </summary>
public static class ErrorCodes
{
    // LORA10xx: safetensors files and checkpoints.
    public const string FileNotFound = "LORA1001";
    public const string HeaderLength = "LORA1002";
    public const string HeaderJson = "LORA1003";
    public const string UnknownDType = "LORA1004";
    public const string TensorEntry = "LORA1005";
    public const string ByteLengthMismatch = "LORA1006";
    public const string RangeOutsideFile = "LORA1007";
    public const string OverlappingRanges = "LORA1008";
    public const string GapInData = "LORA1009";
    public const string DuplicateTensor = "LORA1010";
    public const string MetadataNotStringMap = "LORA1011";
    public const string ShardIndex = "LORA1012";
    public const string ReadFailed = "LORA1013";
    public const string TensorNotFound = "LORA1014";
    public const string PartialByteTensor = "LORA1015";

    // LORA11xx: model folders and adapter folders.
    public const string ModelConfig = "LORA1101";
    public const string ModelHasNoWeights = "LORA1102";
    public const string AdapterConfig = "LORA1110";
    public const string UnsupportedPeftType = "LORA1111";
    public const string LegacyAdapterBin = "LORA1112";
    public const string AdapterWeightsMissing = "LORA1113";
    public const string UnsupportedAdapterFeature = "LORA1114";
    public const string InvalidAdapterValue = "LORA1115";
    public const string UnrecognisedAdapterTensor = "LORA1116";
    public const string InputNotARegularFile = "LORA1117";
    public const string InputLinkOutsideFolder = "LORA1118";

    // LORA12xx: preflight (does the adapter fit the base), from headers only.
    public const string NoBaseTensor = "LORA1201";
    public const string ShapeMismatch = "LORA1202";
    public const string UnusedAdapterTensors = "LORA1203";
    public const string UnsupportedDType = "LORA1204";
    public const string InsufficientSpace = "LORA1205";
    public const string LoraBiasWithoutBaseBias = "LORA1206";
    public const string ConflictingAdapters = "LORA1207";
    public const string IncompleteLoraPair = "LORA1208";
    public const string InvalidMergeOptions = "LORA1209";
    public const string CombinationRankMismatch = "LORA1210";
    public const string CombinationTargetModulesMismatch = "LORA1211";
    public const string CombinationUnsupported = "LORA1212";

    // LORA13xx: running the merge and writing the output.
    public const string NonFiniteResult = "LORA1301";
    public const string OutputNotWritable = "LORA1302";
    public const string Cancelled = "LORA1303";
    public const string DiskFull = "LORA1304";
    public const string BackendUnavailable = "LORA1305";

    // LORA14xx: MSBuild items and properties.
    public const string AdapterItemMissing = "LORA1401";
    public const string BaseModelNotSet = "LORA1402";
    public const string ModelBaseConflict = "LORA1403";
    public const string InvalidItemMetadata = "LORA1404";
    public const string InvalidProperty = "LORA1405";
    /// <summary>Retired: the tasks load in every MSBuild host since they target netstandard2.0. Never reused.</summary>
    public const string UnsupportedMSBuildRuntime = "LORA1406";
    public const string UnsupportedTargetFramework = "LORA1407";
    public const string DotNetHostNotFound = "LORA1408";

    // LORA15xx: loading a model folder at run time (the generated model classes).
    public const string ModelArtifactMissing = "LORA1501";
    public const string ModelArtifactStale = "LORA1502";
    public const string ModelArtifactCorrupt = "LORA1503";
    public const string ModelArtifactMismatch = "LORA1504";
    public const string ModelArtifactHashMismatch = "LORA1505";

    // LORA16xx: GGUF output and tokenizer conversion (LORA1620-1649 are the tokenizer's).
    public const string UnsupportedArchitecture = "LORA1601";
    public const string UnmappedTensor = "LORA1602";
    public const string InvalidGgufType = "LORA1603";
    public const string VocabularySizeMismatch = "LORA1604";
    public const string TokenizerMissing = "LORA1605";
    public const string GgufHyperparameter = "LORA1606";
    public const string GgufFormat = "LORA1607";
    public const string TokenizerFileInvalid = "LORA1620";
    public const string UnsupportedTokenizerModel = "LORA1621";
    public const string UnknownPreTokenizer = "LORA1622";
    public const string UnsupportedPostProcessor = "LORA1623";
    public const string SpecialTokenNotInVocabulary = "LORA1624";
    public const string UnrepresentableVocabulary = "LORA1625";
    public const string UnsupportedCharVocabulary = "LORA1626";

    // LORA19xx: warnings.
    public const string EffectRoundedAway = "LORA1901";
    public const string FanInFanOutMismatch = "LORA1902";
    public const string BaseModelNameMismatch = "LORA1903";
    public const string TiedEmbeddingsTargeted = "LORA1904";
    public const string ModifiedBaseInitialisation = "LORA1905";
    public const string PreviousOutputNotRemoved = "LORA1906";
    public const string UnknownItemMetadata = "LORA1907";
}
