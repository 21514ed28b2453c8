using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using static LoraMerge.Core.Tests.Formats.RawSafetensors;

namespace LoraMerge.Core.Tests.Formats;

/// <summary>
/// Every dtype safetensors defines (safetensors/src/tensor.rs, <c>Dtype</c> and <c>bitsize</c>) is read with its exact
/// size; packed dtypes (F4, F6) are sized in bits and, as safetensors requires, must fill whole bytes.
/// </summary>
public sealed class SafetensorsDTypeTests : IDisposable
{
    private readonly TempDirectory _temp = new("st-dtypes");

    public void Dispose() => _temp.Dispose();

    /// <summary>The format's dtypes and their bits an element, written out here independently of <see cref="DTypes"/>.</summary>
    public static TheoryData<string, int> FormatDTypes() => new()
    {
        { "BOOL", 8 }, { "U8", 8 }, { "I8", 8 },
        { "F8_E5M2", 8 }, { "F8_E4M3", 8 }, { "F8_E8M0", 8 }, { "F8_E4M3FNUZ", 8 }, { "F8_E5M2FNUZ", 8 },
        { "F6_E2M3", 6 }, { "F6_E3M2", 6 }, { "F4", 4 },
        { "I16", 16 }, { "U16", 16 }, { "F16", 16 }, { "BF16", 16 },
        { "I32", 32 }, { "U32", 32 }, { "F32", 32 },
        { "I64", 64 }, { "U64", 64 }, { "F64", 64 }, { "C64", 64 },
    };

    [Fact]
    public void EveryDTypeMemberIsAFormatDTypeAndTheContractListsThemAll()
    {
        var format = FormatDTypes().Select(row => (string)row[0]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(format, Enum.GetNames<DType>().Order(StringComparer.Ordinal));
        Assert.Equal(format, LoraMerge.Contracts.DTypeNames.All.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(FormatDTypes))]
    public void EachDTypeIsReadWithItsExactByteLength(string name, int bits)
    {
        // 8 elements fill whole bytes in every dtype.
        long bytes = 8 * bits / 8;
        var path = Write(_temp.File($"{name}.safetensors"), $$$"""{"w":{"dtype":"{{{name}}}","shape":[4,2],"data_offsets":[0,{{{bytes}}}]}}""", (int)bytes);
        var tensor = Assert.Single(SafetensorsHeader.Read(path).Tensors);
        Assert.Equal(name, DTypes.Name(tensor.DType));
        Assert.Equal(bytes, tensor.ByteLength);
        Assert.Equal(bits, DTypes.BitsOf(tensor.DType));
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(Filler((int)bytes), file.GetBytes(file.Header.Tensors[0]).ToArray());
    }

    [Theory]
    [MemberData(nameof(FormatDTypes))]
    public void EachDTypeWithOneByteTooManyOrTooFewIsAMismatch(string name, int bits)
    {
        long bytes = 8 * bits / 8;
        foreach (long wrong in new[] { bytes - 1, bytes + 1 })
        {
            var path = Write(_temp.File($"{name}-{wrong}.safetensors"), $$$"""{"w":{"dtype":"{{{name}}}","shape":[8],"data_offsets":[0,{{{wrong}}}]}}""", (int)wrong);
            var ex = AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.ByteLengthMismatch, "shape and dtype do not match the byte range", path, "w");
            Assert.Contains($"needs {bytes} bytes, data_offsets give {wrong}", ex.Message);
        }
    }

    [Theory]
    [InlineData("F4", "[2]", 1)]
    [InlineData("F4", "[3, 2]", 3)]
    [InlineData("F4", "[0]", 0)]
    [InlineData("F6_E2M3", "[4]", 3)]
    [InlineData("F6_E3M2", "[2, 6]", 9)]
    public void PackedTensorsThatFillWholeBytesAreRead(string name, string shape, int bytes)
    {
        var path = Write(_temp.File("packed.safetensors"), $$$"""{"w":{"dtype":"{{{name}}}","shape":{{{shape}}},"data_offsets":[0,{{{bytes}}}]}}""", bytes);
        Assert.Equal(bytes, Assert.Single(SafetensorsHeader.Read(path).Tensors).ByteLength);
    }

    [Theory]
    [InlineData("F4", "[1]", 1)]
    [InlineData("F4", "[3]", 2)]
    [InlineData("F4", "[3, 5]", 8)]
    [InlineData("F4", "[]", 1)]
    [InlineData("F6_E2M3", "[2]", 2)]
    [InlineData("F6_E3M2", "[6]", 5)]
    [InlineData("F6_E3M2", "[3]", 3)]
    public void PackedTensorsWhoseBitsDoNotFillWholeBytesAreRejected(string name, string shape, int ceilingBytes)
    {
        // Even the rounded-up byte count is refused: safetensors does not pad a packed tensor to a byte.
        var path = Write(_temp.File("partial.safetensors"), $$$"""{"w":{"dtype":"{{{name}}}","shape":{{{shape}}},"data_offsets":[0,{{{ceilingBytes}}}]}}""", ceilingBytes);
        var ex = AssertFails(() => SafetensorsHeader.Read(path), ErrorCodes.PartialByteTensor, "packed elements do not fill whole bytes", path, "w");
        Assert.Contains($"{name}{shape}", ex.Message);
    }

    [Fact]
    public void PackedDTypesHaveNoByteSizeButAByteLength()
    {
        Assert.Throws<ArgumentException>(() => DTypes.SizeOf(DType.F4));
        Assert.Throws<ArgumentException>(() => DTypes.SizeOf(DType.F6_E2M3));
        Assert.Equal(1, DTypes.SizeOf(DType.F8_E8M0));
        Assert.Equal(8, DTypes.SizeOf(DType.C64));
        Assert.Equal(5L, DTypes.ByteLengthOf(DType.F4, 10));
        Assert.Null(DTypes.ByteLengthOf(DType.F4, 9));
        Assert.Equal(6L, new TensorSpec("w", DType.F6_E3M2, [8]).ByteLength);
        Assert.Throws<ArgumentException>(() => new TensorSpec("w", DType.F4, [7]));
    }
}
