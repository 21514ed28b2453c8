using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LoraMerge.Merging;

/// <summary>
/// Copies a byte range between files without passing it through user memory: Linux's copy_file_range (page cache to
/// page cache, or a reflink on file systems that share extents), else a buffered read/write loop.
/// </summary>
internal static partial class FileRangeCopy
{
    private const int EINTR = 4, EINVAL = 22, EXDEV = 18, ENOSYS = 38, EOPNOTSUPP = 95;
    private const int BufferBytes = 4 << 20;
    private static volatile bool s_kernelCopyUnavailable = !OperatingSystem.IsLinux();

    public static void Copy(SafeFileHandle source, long sourceOffset, SafeFileHandle destination, long destinationOffset, long length)
    {
        if (!s_kernelCopyUnavailable)
        {
            long copied = KernelCopy(source, sourceOffset, destination, destinationOffset, length);
            sourceOffset += copied;
            destinationOffset += copied;
            length -= copied;
        }
        if (length > 0)
            BufferedCopy((buffer, offset) => RandomAccess.Read(source, buffer, sourceOffset + offset), destination, destinationOffset, length);
    }

    /// <summary>Reads with <paramref name="read"/> (offset relative to the range) and writes at <paramref name="destinationOffset"/>.</summary>
    public static void BufferedCopy(Func<byte[], long, int> read, SafeFileHandle destination, long destinationOffset, long length) =>
        BufferedCopy(read, (offset, bytes) => RandomAccess.Write(destination, bytes, destinationOffset + offset), length);

    /// <summary>Reads with <paramref name="read"/> and hands each chunk to <paramref name="write"/> (offsets relative to the range).</summary>
    public static void BufferedCopy(Func<byte[], long, int> read, TensorWrite write, long length)
    {
        var buffer = new byte[(int)Math.Min(BufferBytes, Math.Max(1, length))];
        for (long done = 0; done < length;)
        {
            int n = read(buffer, done);
            if (n <= 0)
                throw new EndOfStreamException("The source file ended before the tensor did.");
            n = (int)Math.Min(n, length - done);
            write(done, buffer.AsSpan(0, n));
            done += n;
        }
    }

    private static long KernelCopy(SafeFileHandle source, long sourceOffset, SafeFileHandle destination, long destinationOffset, long length)
    {
        bool addedSource = false, addedDestination = false;
        try
        {
            source.DangerousAddRef(ref addedSource);
            destination.DangerousAddRef(ref addedDestination);
            int fdIn = (int)source.DangerousGetHandle(), fdOut = (int)destination.DangerousGetHandle();
            long done = 0;
            while (done < length)
            {
                long inOffset = sourceOffset + done, outOffset = destinationOffset + done;
                nint n = copy_file_range(fdIn, ref inOffset, fdOut, ref outOffset, (nuint)Math.Min(length - done, 1L << 30), 0);
                if (n > 0)
                {
                    done += n;
                    continue;
                }
                if (n == 0)
                    break;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                    continue;
                if (errno is ENOSYS or EXDEV or EINVAL or EOPNOTSUPP)
                {
                    s_kernelCopyUnavailable = errno == ENOSYS;
                    break;
                }
                throw new IOException($"copy_file_range failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
            }
            return done;
        }
        finally
        {
            if (addedSource)
                source.DangerousRelease();
            if (addedDestination)
                destination.DangerousRelease();
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint copy_file_range(int fdIn, ref long offIn, int fdOut, ref long offOut, nuint length, uint flags);
}
