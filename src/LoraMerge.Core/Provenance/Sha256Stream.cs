using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace LoraMerge.Provenance;

/// <summary>Where a SHA-256 computation stood after <see cref="Offset"/> bytes (a multiple of 64): its eight state words, hex.</summary>
internal readonly record struct Sha256Checkpoint(long Offset, string State)
{
    public bool IsWellFormed => Offset >= 0 && Offset % 64 == 0 && State is { Length: 64 } && State.All(char.IsAsciiHexDigitLower);

    /// <summary>One <c>offset state</c> line, as the hash cache keeps it.</summary>
    public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"{Offset} {State}");

    public static bool TryParseLine(string line, out Sha256Checkpoint checkpoint)
    {
        var parts = line.Split(' ');
        checkpoint = parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long offset)
            ? new Sha256Checkpoint(offset, parts[1])
            : default;
        return checkpoint.IsWellFormed;
    }
}

/// <summary>
/// SHA-256 of a byte stream whose running state can be saved at a 64-byte boundary and resumed later, in this process or
/// another. A merged file starts with the same bytes as its base up to the first changed tensor, so its hash can resume
/// from the base's state there instead of hashing those bytes again.
/// </summary>
/// <remarks>
/// Saving and resuming needs OpenSSL's libcrypto (which .NET already uses on Linux) and its <c>SHA256_CTX</c>, a plain
/// struct whose layout has not changed since OpenSSL 0.9.8; a self-test at load checks that assumption. Where
/// libcrypto is missing or fails the test, hashing goes through .NET's <see cref="IncrementalHash"/> and
/// <see cref="Checkpoint"/> and <see cref="Resume"/> return null.
/// </remarks>
internal sealed unsafe class Sha256Stream : IDisposable
{
    private static readonly LibCrypto? Native = LibCrypto.TryLoad();

    private readonly IncrementalHash? _managed;
    private byte* _context;

    private Sha256Stream(IncrementalHash managed) => _managed = managed;

    private Sha256Stream(Sha256Checkpoint? from)
    {
        _context = (byte*)NativeMemory.AllocZeroed(LibCrypto.ContextBytes);
        Native!.Init(_context);
        if (from is { } checkpoint)
        {
            LibCrypto.Restore(_context, checkpoint);
            Length = checkpoint.Offset;
        }
    }

    /// <summary>True where checkpoints can be taken and resumed.</summary>
    public static bool CanResume => Native is not null;

    /// <summary>Bytes hashed so far (including those before the checkpoint it resumed from).</summary>
    public long Length { get; private set; }

    public static Sha256Stream Start() =>
        Native is null ? new Sha256Stream(IncrementalHash.CreateHash(HashAlgorithmName.SHA256)) : new Sha256Stream((Sha256Checkpoint?)null);

    /// <summary>Continues a hash from <paramref name="checkpoint"/>; null where checkpoints are not supported.</summary>
    public static Sha256Stream? Resume(Sha256Checkpoint checkpoint)
    {
        if (Native is null)
            return null;
        if (!checkpoint.IsWellFormed)
            throw new ArgumentException("Not a SHA-256 checkpoint.", nameof(checkpoint));
        return new Sha256Stream(checkpoint);
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_managed is not null)
            _managed.AppendData(bytes);
        else
            fixed (byte* data = bytes)
                Native!.Update(Context, data, (nuint)bytes.Length);
        Length += bytes.Length;
    }

    /// <summary>The state after <see cref="Length"/> bytes, or null when that is not a multiple of 64 or checkpoints are not supported.</summary>
    public Sha256Checkpoint? Checkpoint() => _managed is null && Length % 64 == 0 ? LibCrypto.Save(Context, Length) : null;

    /// <summary>The hash (lowercase hex) of everything appended; the stream cannot be used afterwards.</summary>
    public string Finish()
    {
        if (_managed is not null)
            return Convert.ToHexStringLower(_managed.GetHashAndReset());
        Span<byte> digest = stackalloc byte[32];
        fixed (byte* d = digest)
            Native!.Final(d, Context);
        return Convert.ToHexStringLower(digest);
    }

    public void Dispose()
    {
        _managed?.Dispose();
        NativeMemory.Free(_context);
        _context = null;
    }

    private byte* Context => _context != null ? _context : throw new ObjectDisposedException(nameof(Sha256Stream));

    private sealed class LibCrypto
    {
        // SHA256_CTX: uint h[8]; uint Nl, Nh; uint data[16]; uint num, md_len (112 bytes); room to spare.
        public const int ContextBytes = 128;
        private const int LowBitsWord = 8;
        private const int HighBitsWord = 9;

        private readonly delegate* unmanaged<byte*, int> _init;
        private readonly delegate* unmanaged<byte*, byte*, nuint, int> _update;
        private readonly delegate* unmanaged<byte*, byte*, int> _final;

        private LibCrypto(nint library)
        {
            _init = (delegate* unmanaged<byte*, int>)NativeLibrary.GetExport(library, "SHA256_Init");
            _update = (delegate* unmanaged<byte*, byte*, nuint, int>)NativeLibrary.GetExport(library, "SHA256_Update");
            _final = (delegate* unmanaged<byte*, byte*, int>)NativeLibrary.GetExport(library, "SHA256_Final");
        }

        public static LibCrypto? TryLoad()
        {
            if (!OperatingSystem.IsLinux())
                return null;
            foreach (var name in (string[])["libcrypto.so.3", "libcrypto.so.1.1"])
            {
                if (!NativeLibrary.TryLoad(name, out var library))
                    continue;
                try
                {
                    var api = new LibCrypto(library);
                    if (api.PassesSelfTest())
                        return api;
                }
                catch (EntryPointNotFoundException)
                {
                }
            }
            return null;
        }

        public void Init(byte* context) => Check(_init(context));

        public void Update(byte* context, byte* data, nuint length) => Check(_update(context, data, length));

        public void Final(byte* digest, byte* context) => Check(_final(digest, context));

        public static Sha256Checkpoint Save(byte* context, long offset)
        {
            var words = new uint[8];
            new ReadOnlySpan<uint>(context, 8).CopyTo(words);
            return new Sha256Checkpoint(offset, string.Concat(words.Select(w => w.ToString("x8", CultureInfo.InvariantCulture))));
        }

        public static void Restore(byte* context, Sha256Checkpoint checkpoint)
        {
            var words = new Span<uint>(context, 16);
            for (int i = 0; i < 8; i++)
                words[i] = uint.Parse(checkpoint.State.AsSpan(i * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            ulong bits = (ulong)checkpoint.Offset * 8;
            words[LowBitsWord] = (uint)bits;
            words[HighBitsWord] = (uint)(bits >> 32);
        }

        private static void Check(int result)
        {
            if (result != 1)
                throw new CryptographicException("libcrypto's SHA-256 failed.");
        }

        // Hashes 200 bytes at once, and in two parts through a checkpoint at 128, against .NET's SHA-256.
        private bool PassesSelfTest()
        {
            var data = new byte[200];
            for (int i = 0; i < data.Length; i++)
                data[i] = (byte)(i * 7 + 3);
            string expected = Convert.ToHexStringLower(SHA256.HashData(data));
            byte* context = (byte*)NativeMemory.AllocZeroed(ContextBytes);
            try
            {
                Span<byte> digest = stackalloc byte[32];
                fixed (byte* d = data, md = digest)
                {
                    Init(context);
                    Update(context, d, 128);
                    var checkpoint = Save(context, 128);
                    NativeMemory.Clear(context, ContextBytes);
                    Init(context);
                    Restore(context, checkpoint);
                    Update(context, d + 128, 72);
                    Final(md, context);
                }
                return Convert.ToHexStringLower(digest) == expected;
            }
            finally
            {
                NativeMemory.Free(context);
            }
        }
    }
}
