using System.Runtime.InteropServices;

namespace CoolCache.Cli.Shell;

/// <summary>
/// The terminal on file descriptors 0 and 1, driven directly through libc as linenoise does: raw mode
/// (termios: no echo, no line buffering, no signals from keys, no output processing) for line editing,
/// byte reads, and the window width (TIOCGWINSZ, 80 when unknown). Linux structure layout.
/// </summary>
public sealed partial class RawTerminal
{
    private const int TermiosSize = 60;
    private const uint Brkint = 0x2, Icrnl = 0x100, Inpck = 0x10, Istrip = 0x20, Ixon = 0x400;
    private const uint Opost = 0x1, Cs8 = 0x30;
    private const uint Echo = 0x8, Icanon = 0x2, Iexten = 0x8000, Isig = 0x1;
    private const int Vtime = 5, Vmin = 6, CcOffset = 17, TcsaFlush = 2;
    private const ulong Tiocgwinsz = 0x5413;

    private byte[]? _saved;

    [DllImport("libc", SetLastError = true)]
    private static extern int tcgetattr(int fd, byte[] termios);

    [DllImport("libc", SetLastError = true)]
    private static extern int tcsetattr(int fd, int actions, byte[] termios);

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int fd, byte[] buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int ioctl(int fd, ulong request, byte[] argument);

    /// <summary>Raw mode on standard input; false when it is not a terminal.</summary>
    public bool Enable()
    {
        var termios = new byte[TermiosSize];
        if (tcgetattr(0, termios) != 0) return false;
        _saved = (byte[])termios.Clone();
        SetFlags(termios, 0, ~(Brkint | Icrnl | Inpck | Istrip | Ixon), 0);
        SetFlags(termios, 4, ~Opost, 0);
        SetFlags(termios, 8, ~0u, Cs8);
        SetFlags(termios, 12, ~(Echo | Icanon | Iexten | Isig), 0);
        termios[CcOffset + Vmin] = 1;
        termios[CcOffset + Vtime] = 0;
        return tcsetattr(0, TcsaFlush, termios) == 0;
    }

    public void Disable()
    {
        if (_saved is not null) tcsetattr(0, TcsaFlush, _saved);
        _saved = null;
    }

    /// <summary>The next byte typed, or -1 at end of input.</summary>
    public static int ReadByte()
    {
        var one = new byte[1];
        while (true)
        {
            var n = read(0, one, 1);
            if (n == 1) return one[0];
            if (n == 0) return -1;
            if (Marshal.GetLastPInvokeError() != 4) return -1; // EINTR: a signal, read again
        }
    }

    /// <summary>The terminal's width in columns (80 when it cannot be told).</summary>
    public static int Columns()
    {
        var size = new byte[8];
        if (ioctl(1, Tiocgwinsz, size) == 0)
        {
            var cols = BitConverter.ToUInt16(size, 2);
            if (cols > 0) return cols;
        }
        return 80;
    }

    private static void SetFlags(byte[] termios, int offset, uint keep, uint add)
    {
        var value = BitConverter.ToUInt32(termios, offset);
        value = (value & keep) | add;
        BitConverter.GetBytes(value).CopyTo(termios, offset);
    }
}
