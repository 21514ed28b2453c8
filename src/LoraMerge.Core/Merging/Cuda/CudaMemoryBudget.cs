namespace LoraMerge.Merging.Cuda;

/// <summary>
/// Device memory the CUDA producer may use: two pipeline slots (input and output buffer each, pinned host mirrors of
/// the same size) plus the R factors of the tensor being merged. Tensors whose factors do not fit go to the CPU.
/// </summary>
internal sealed record CudaMemoryBudget(long SlotBytes, long FactorBytes)
{
    public const int Slots = 2;

    /// <summary>128 MiB slots and 512 MiB of factors (1 GiB in all), shrunk to half the free memory on small GPUs.</summary>
    public static CudaMemoryBudget For(long freeDeviceBytes)
    {
        long slot = 128L << 20;
        long factors = 512L << 20;
        while (slot > (1L << 20) && Slots * 2 * slot + factors > freeDeviceBytes / 2)
        {
            slot /= 2;
            factors /= 2;
        }
        return new CudaMemoryBudget(slot, factors);
    }

    public long DeviceBytes => Slots * 2 * SlotBytes + FactorBytes;
}
