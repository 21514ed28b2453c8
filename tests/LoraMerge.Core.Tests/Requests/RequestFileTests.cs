using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Requests;

namespace LoraMerge.Core.Tests.Requests;

/// <summary>A request file the tool cannot use is InvalidMergeOptions at that file, with what is wrong.</summary>
public sealed class RequestFileTests : IDisposable
{
    private readonly TempDirectory _temp = new("request-file");

    public void Dispose() => _temp.Dispose();

    private LoraException Fails(string content)
    {
        var path = _temp.File(Guid.NewGuid().ToString("N") + ".json");
        if (content.Length > 0) File.WriteAllText(path, content);
        var error = Assert.Throws<LoraException>(() => ModelMergeRequest.Read(path));
        Assert.Equal(ErrorCodes.InvalidMergeOptions, error.Code);
        Assert.Equal(path, error.FilePath);
        return error;
    }

    [Fact]
    public void A_missing_file_cannot_be_read() =>
        Assert.StartsWith("The merge request could not be read: ", Fails("").Message);

    [Fact]
    public void Broken_json_and_missing_fields_are_not_valid()
    {
        Assert.StartsWith("The merge request is not valid: ", Fails("{ \"formatVersion\": 1,").Message);
        Assert.StartsWith("The merge request is not valid: ", Fails("{ \"formatVersion\": 1 }").Message);
    }

    [Fact]
    public void Another_format_version_is_named()
    {
        Assert.Equal($"Merge request format 7 is not supported (expected {ModelMergeRequest.FormatVersion}).", Fails("{ \"formatVersion\": 7 }").Message);
        Assert.Equal("Describe request format 7 is not supported (expected 1).",
            Assert.Throws<LoraException>(() => RequestFile.Read(WriteJson("{ \"formatVersion\": 7 }"), "describe", 1, _ => 0)).Message);
    }

    private string WriteJson(string json)
    {
        var path = _temp.File(Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }
}
