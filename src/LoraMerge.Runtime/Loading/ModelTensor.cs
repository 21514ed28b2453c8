using System.Runtime.InteropServices;
using LoraMerge.Formats;
using LoraMerge.Numerics;

namespace LoraMerge.Runtime;

/// <summary>One weight of a loaded model: its bytes stay in the mapped file (or embedded resource); nothing is copied.</summary>
public sealed unsafe class ModelTensor
{
    private readonly TensorDescription _description;
    private readonly byte* _pointer;
    private readonly ModelWeights _owner;

    internal ModelTensor(TensorDescription description, byte* pointer, long byteLength, ModelWeights owner)
    {
        _description = description;
        _pointer = pointer;
        ByteLength = byteLength;
        _owner = owner;
    }

    public string Name => _description.Name;

    public DType DType => _description.DType;

    public IReadOnlyList<long> Shape => _description.Shape;

    /// <summary>The weight file holding this tensor, relative to the model folder.</summary>
    public string File => _description.File;

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in _description.Shape) n *= d;
            return n;
        }
    }

    public long ByteLength { get; }

    /// <summary>The raw little-endian bytes. Throws after the model is disposed, or for tensors over 2 GiB.</summary>
    public ReadOnlySpan<byte> Data
    {
        get
        {
            ObjectDisposedException.ThrowIf(_owner.IsDisposed, _owner);
            if (ByteLength > int.MaxValue)
            {
                throw new NotSupportedException($"Tensor '{Name}' has {ByteLength} bytes, more than a span can hold.");
            }
            return new ReadOnlySpan<byte>(_pointer, (int)ByteLength);
        }
    }

    /// <summary>The elements of an F32 tensor.</summary>
    public ReadOnlySpan<float> AsFloat32() => MemoryMarshal.Cast<byte, float>(DataOf(DType.F32));

    /// <summary>The elements of an F16 tensor.</summary>
    public ReadOnlySpan<Half> AsHalf() => MemoryMarshal.Cast<byte, Half>(DataOf(DType.F16));

    /// <summary>The raw bit patterns of a BF16 tensor (the upper 16 bits of the f32 value).</summary>
    public ReadOnlySpan<ushort> AsBFloat16Bits() => MemoryMarshal.Cast<byte, ushort>(DataOf(DType.BF16));

    /// <summary>
    /// Widens (or for F64 narrows) every element into <paramref name="destination"/>, which must hold exactly
    /// <see cref="ElementCount"/> floats. Works for F32, F16, BF16, F64, F8_E4M3 and F8_E5M2; other dtypes (integers,
    /// the scale and packed microscaling types) are read as bytes with <see cref="Data"/>.
    /// </summary>
    public void CopyToFloat32(Span<float> destination)
    {
        if (destination.Length != ElementCount)
        {
            throw new ArgumentException(
                $"Tensor '{Name}' has {ElementCount} elements but the destination holds {destination.Length}.", nameof(destination));
        }
        if (!FloatWidening.TryWiden(DType, Data, destination))
            throw new InvalidOperationException($"Tensor '{Name}' is {DType}, which does not widen to f32; read its bytes (Data).");
    }

    /// <summary>A new array with every element as f32 (see <see cref="CopyToFloat32"/>).</summary>
    public float[] ToFloat32Array()
    {
        var result = new float[checked((int)ElementCount)];
        CopyToFloat32(result);
        return result;
    }

    public override string ToString() => $"{Name} {DType} {_description.ShapeText}";

    private ReadOnlySpan<byte> DataOf(DType expected)
    {
        if (DType != expected)
        {
            throw new InvalidOperationException($"Tensor '{Name}' is {DType}, not {expected}.");
        }
        return Data;
    }
}
