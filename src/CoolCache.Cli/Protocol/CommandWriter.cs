using System.Buffers;
using System.Buffers.Text;

namespace CoolCache.Cli.Protocol;

/// <summary>Writes a command as a RESP multibulk ("*n\r\n" then "$len\r\narg\r\n" per argument).</summary>
public static class CommandWriter
{
    public static void Write(IBufferWriter<byte> output, IReadOnlyList<byte[]> argv)
    {
        WriteHeader(output, (byte)'*', argv.Count);
        foreach (var arg in argv)
        {
            WriteHeader(output, (byte)'$', arg.Length);
            var span = output.GetSpan(arg.Length + 2);
            arg.CopyTo(span);
            span[arg.Length] = (byte)'\r';
            span[arg.Length + 1] = (byte)'\n';
            output.Advance(arg.Length + 2);
        }
    }

    public static byte[] Encode(IReadOnlyList<byte[]> argv)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, argv);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteHeader(IBufferWriter<byte> output, byte type, int n)
    {
        var span = output.GetSpan(24);
        span[0] = type;
        Utf8Formatter.TryFormat(n, span[1..], out var used);
        span[1 + used] = (byte)'\r';
        span[2 + used] = (byte)'\n';
        output.Advance(used + 3);
    }
}
