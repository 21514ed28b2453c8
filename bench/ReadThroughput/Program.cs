using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LoraMerge.Formats;

// bench/read-throughput.sh drives this. `generate FILE MIB` writes a safetensors file of about MIB mebibytes with the
// writer; `measure FILE ROUNDS` interleaves, round by round, `cat FILE > /dev/null`, reading every tensor byte through
// SafetensorsFile's mapped spans, and reading every tensor byte through SafetensorsFile.Read into a reused buffer
// (pread), and prints the best round of each.
return args switch
{
    ["generate", var path, var mib] => Generate(path, long.Parse(mib)),
    ["measure", var path, var rounds] => Measure(path, int.Parse(rounds)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ReadThroughput generate FILE MIB | measure FILE ROUNDS");
    return 2;
}

static int Generate(string path, long mib)
{
    // 16 MiB f32 tensors plus two odd-sized ones, so spans with tails are read too.
    var specs = new List<TensorSpec>();
    for (var i = 0; i < mib / 16; i++) specs.Add(new TensorSpec($"layers.{i}.weight", DType.F32, [2048, 2048]));
    specs.Add(new TensorSpec("odd.bf16", DType.BF16, [1001, 3]));
    specs.Add(new TensorSpec("odd.u8", DType.U8, [13]));
    using var writer = SafetensorsWriter.Create(path, specs, new Dictionary<string, string> { ["format"] = "pt" });
    var buffer = new byte[1 << 20];
    var words = MemoryMarshal.Cast<byte, ulong>(buffer.AsSpan());
    var state = 0x9E3779B97F4A7C15UL;
    for (var t = 0; t < specs.Count; t++)
    {
        for (long offset = 0; offset < specs[t].ByteLength; offset += buffer.Length)
        {
            for (var w = 0; w < words.Length; w++)
            {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                words[w] = state;
            }
            writer.Write(t, offset, buffer.AsSpan(0, (int)Math.Min(buffer.Length, specs[t].ByteLength - offset)));
        }
    }
    writer.Commit();
    Console.WriteLine($"wrote {new FileInfo(path).Length} bytes, {specs.Count} tensors");
    return 0;
}

static int Measure(string path, int rounds)
{
    var fileBytes = new FileInfo(path).Length;
    RunCat(path); // warm the page cache
    double bestCat = double.MaxValue, bestFresh = double.MaxValue, bestMapped = double.MaxValue, bestStream = double.MaxValue;
    long tensorBytes = 0;
    ulong checksum = 0;
    using var kept = SafetensorsFile.Open(path);
    XorFile(kept, out _); // a mapping that has been read once: later passes measure span access alone
    // One pinned 4 MiB buffer for every streamed read, touched once here so its own first-touch faults are not measured.
    var buffer = GC.AllocateArray<byte>(4 << 20, pinned: true);
    Array.Fill(buffer, (byte)1);
    for (var r = 0; r < rounds; r++)
    {
        bestCat = Math.Min(bestCat, RunCat(path));

        var watch = Stopwatch.StartNew();
        using (var file = SafetensorsFile.Open(path))
        {
            checksum = XorFile(file, out tensorBytes);
        }
        bestFresh = Math.Min(bestFresh, watch.Elapsed.TotalSeconds);

        watch.Restart();
        var again = XorFile(kept, out _);
        bestMapped = Math.Min(bestMapped, watch.Elapsed.TotalSeconds);
        if (again != checksum) throw new InvalidOperationException("checksums differ between passes");

        watch.Restart();
        ulong streamed;
        using (var file = SafetensorsFile.Open(path))
        {
            streamed = XorFileStreamed(file, buffer);
        }
        bestStream = Math.Min(bestStream, watch.Elapsed.TotalSeconds);
        if (streamed != checksum) throw new InvalidOperationException("streamed and mapped checksums differ");
    }
    // One line per measurement for the script: name seconds bytes.
    Console.WriteLine($"cat {bestCat:F6} {fileBytes}");
    Console.WriteLine($"reader-open {bestFresh:F6} {tensorBytes}");
    Console.WriteLine($"reader-mapped {bestMapped:F6} {tensorBytes}");
    Console.WriteLine($"reader-stream {bestStream:F6} {tensorBytes}");
    Console.WriteLine($"checksum {checksum:x16}");
    return 0;
}

// Every tensor through SafetensorsFile.Read in buffer-sized chunks (a multiple of 8, so the xor of the chunks equals
// the xor of the whole tensor), every byte of each chunk xor-ed as in the mapped pass.
static unsafe ulong XorFileStreamed(SafetensorsFile file, byte[] buffer)
{
    ulong checksum = 0;
    fixed (byte* p = buffer)
    {
        foreach (var tensor in file.Header.Tensors)
        {
            long offset = 0;
            int n;
            while ((n = file.Read(tensor, offset, buffer)) > 0)
            {
                checksum ^= XorBytes(p, n);
                offset += n;
            }
        }
    }
    return checksum;
}

static double RunCat(string path)
{
    var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
    start.ArgumentList.Add("-c");
    start.ArgumentList.Add("cat \"$0\" > /dev/null");
    start.ArgumentList.Add(path);
    var watch = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    process.WaitForExit();
    var seconds = watch.Elapsed.TotalSeconds;
    if (process.ExitCode != 0) throw new InvalidOperationException($"cat exited with {process.ExitCode}");
    return seconds;
}

static ulong XorFile(SafetensorsFile file, out long bytes)
{
    ulong checksum = 0;
    bytes = 0;
    foreach (var tensor in file.Header.Tensors)
    {
        checksum ^= XorTensor(file, tensor);
        bytes += tensor.ByteLength;
    }
    return checksum;
}

static unsafe ulong XorTensor(SafetensorsFile file, TensorInfo tensor)
{
    // Tensors over 2 GiB go through the pointer; the rest through the zero-copy span, as callers would.
    if (tensor.ByteLength > int.MaxValue) return XorBytes(file.GetPointer(tensor), tensor.ByteLength);
    var span = file.GetBytes(tensor);
    fixed (byte* p = span) return XorBytes(p, span.Length);
}

[MethodImpl(MethodImplOptions.AggressiveOptimization)]
static unsafe ulong XorBytes(byte* p, long length)
{
    var acc0 = Vector256<ulong>.Zero;
    var acc1 = Vector256<ulong>.Zero;
    var acc2 = Vector256<ulong>.Zero;
    var acc3 = Vector256<ulong>.Zero;
    long i = 0;
    for (; i + 128 <= length; i += 128)
    {
        acc0 ^= Vector256.Load((ulong*)(p + i));
        acc1 ^= Vector256.Load((ulong*)(p + i + 32));
        acc2 ^= Vector256.Load((ulong*)(p + i + 64));
        acc3 ^= Vector256.Load((ulong*)(p + i + 96));
    }
    var acc = acc0 ^ acc1 ^ acc2 ^ acc3;
    var result = acc[0] ^ acc[1] ^ acc[2] ^ acc[3];
    for (; i + 8 <= length; i += 8) result ^= *(ulong*)(p + i);
    for (; i < length; i++) result ^= (ulong)p[i] << (int)(8 * (i & 7));
    return result;
}

