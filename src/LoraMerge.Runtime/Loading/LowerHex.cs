namespace LoraMerge.Runtime;

/// <summary>Lower-case hex as <c>lora-merge.json</c> writes sha256 values (Convert.ToHexStringLower is .NET 9+).</summary>
internal static class LowerHex
{
    public static string Of(ReadOnlySpan<byte> bytes) =>
#if NET9_0_OR_GREATER
        Convert.ToHexStringLower(bytes);
#else
        Convert.ToHexString(bytes).ToLowerInvariant();
#endif
}
