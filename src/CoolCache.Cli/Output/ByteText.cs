using System.Buffers;
using System.Text;

namespace CoolCache.Cli.Output;

/// <summary>A growable byte buffer that text is appended to: replies are bytes, never .NET strings.</summary>
public sealed class ByteText
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> Span => _buffer.WrittenSpan;

    public ByteText Append(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        return this;
    }

    public ByteText Append(byte b)
    {
        _buffer.GetSpan(1)[0] = b;
        _buffer.Advance(1);
        return this;
    }

    /// <summary>Appends text as UTF-8.</summary>
    public ByteText Append(string text)
    {
        var span = _buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _buffer.Advance(Encoding.UTF8.GetBytes(text, span));
        return this;
    }

    /// <summary>Drops the last byte (sds's sdsrange(s, 0, -2)).</summary>
    public void DropLast()
    {
        var kept = _buffer.WrittenSpan[..^1].ToArray();
        _buffer.Clear();
        _buffer.Write(kept);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public override string ToString() => Encoding.UTF8.GetString(_buffer.WrittenSpan);
}
