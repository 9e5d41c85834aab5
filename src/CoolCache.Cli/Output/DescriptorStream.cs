using System.Runtime.InteropServices;

namespace CoolCache.Cli.Output;

/// <summary>
/// A write-only stream over a file descriptor with plain write(2), as a C program writes: no console set-up
/// (.NET's console streams switch the terminal to keypad mode on first write) and no file position of its
/// own (a FileStream writes at its own offset, over what others appended to the same file meanwhile).
/// </summary>
public sealed partial class DescriptorStream(int fd) : Stream
{
    [DllImport("libc", SetLastError = true)]
    private static extern unsafe nint write(int fd, byte* buffer, nint count);

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            nint n;
            fixed (byte* p = buffer) n = write(fd, p, buffer.Length);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == 4) continue; // EINTR
                if (errno == 32) Environment.Exit(141); // EPIPE: the reader is gone; a C program dies of SIGPIPE
                throw new IOException($"write failed (errno {errno})");
            }
            buffer = buffer[(int)n..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
