// Commands as RESP multibulks (`*N\r\n$len\r\narg\r\n...`), written straight into the writer's buffer.
using System.Buffers.Text;

namespace CoolCache.Client;

/// <summary>A growable byte buffer rented from the array pool, reused by a connection's writer loop.</summary>
internal sealed class CommandEncoder : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public CommandEncoder(int initialSize = 64 * 1024) => _buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(initialSize);

    /// <summary>The bytes written since the last <see cref="Clear"/>.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public int Length => _length;

    public void Clear() => _length = 0;

    /// <summary>Append one command.</summary>
    public void Write(ReadOnlySpan<RedisValue> args)
    {
        WriteHeader((byte)'*', args.Length);
        foreach (var a in args)
        {
            int n = a.ByteCount;
            WriteHeader((byte)'$', n);
            Ensure(n + 2);
            a.WriteTo(_buffer.AsSpan(_length));
            _length += n;
            _buffer[_length++] = (byte)'\r';
            _buffer[_length++] = (byte)'\n';
        }
    }

    private void WriteHeader(byte type, int count)
    {
        Ensure(16);
        _buffer[_length++] = type;
        Utf8Formatter.TryFormat(count, _buffer.AsSpan(_length), out int n);
        _length += n;
        _buffer[_length++] = (byte)'\r';
        _buffer[_length++] = (byte)'\n';
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length)
        {
            return;
        }
        var bigger = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose() => System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
}
