using LoraMerge.Cli.Parsing;

namespace LoraMerge.Cli.Tests;

public class ByteSizeTests
{
    [Theory]
    [InlineData("123", 123L)]
    [InlineData("500MB", 500_000_000L)]
    [InlineData("500mb", 500_000_000L)]
    [InlineData("5GB", 5_000_000_000L)]
    [InlineData("2GiB", 2_147_483_648L)]
    [InlineData("10 KiB", 10_240L)]
    [InlineData("1.5GB", 1_500_000_000L)]
    [InlineData("3MiB", 3_145_728L)]
    [InlineData("1TB", 1_000_000_000_000L)]
    [InlineData("7B", 7L)]
    public void Parses_bytes_and_hugging_face_units(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes, out var error), error);
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("5XB")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("0.1")]
    [InlineData("1e9")]
    [InlineData("99999999999TB")]
    public void Rejects_what_is_not_a_positive_size(string text)
    {
        Assert.False(ByteSize.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
