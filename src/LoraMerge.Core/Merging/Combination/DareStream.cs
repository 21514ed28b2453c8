using System.Text;

namespace LoraMerge.Merging;

/// <summary>
/// DARE's keep/drop decisions, reproducible on every machine and thread count (PEFT draws them with
/// <c>torch.bernoulli</c>, which no other program reproduces). One SplitMix64 stream per tensor of one adapter:
/// the state starts at <c>seed XOR FNV-1a-64(UTF-8 "&lt;module key&gt;/&lt;adapter index&gt;/&lt;part&gt;")</c>, part
/// <c>lora_A</c>, <c>lora_B</c> or <c>delta</c>; each element in row-major order of the tensor draws the next
/// output <c>z</c>, <c>u = (z &gt;&gt; 11)·2⁻⁵³</c>, and is kept when <c>u &lt; density</c> (docs/merge-semantics.md).
/// </summary>
internal struct DareStream
{
    private ulong _state;

    public DareStream(ulong seed, string moduleKey, int adapterIndex, string part)
    {
        ulong hash = 0xcbf29ce484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes($"{moduleKey}/{adapterIndex}/{part}"))
        {
            hash ^= b;
            hash *= 0x100000001b3UL;
        }
        _state = seed ^ hash;
    }

    /// <summary>SplitMix64's next output.</summary>
    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextUniform() => (Next() >> 11) * (1.0 / (1UL << 53));
}
