using System.Text;

namespace CoolCache.Cli.Output;

/// <summary>
/// Standard output and standard error as byte streams (replies are binary-safe), each write flushed at
/// once as redis-cli does after every reply, so that output interleaves correctly with the terminal.
/// File descriptors 1 and 2 are written directly (DescriptorStream).
/// </summary>
public sealed class Printer(Stream stdout, Stream stderr)
{
    public static Printer Console { get; } = new(new DescriptorStream(1), new DescriptorStream(2));

    public void Write(ReadOnlySpan<byte> bytes)
    {
        stdout.Write(bytes);
        stdout.Flush();
    }

    public void Write(ByteText text) => Write(text.Span);

    public void Write(string text) => Write(Encoding.UTF8.GetBytes(text));

    public void Error(string text)
    {
        stderr.Write(Encoding.UTF8.GetBytes(text));
        stderr.Flush();
    }
}
