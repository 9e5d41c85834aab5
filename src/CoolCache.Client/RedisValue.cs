// An argument of a command: binary-safe bytes, with implicit conversions from text and numbers so
// that one signature serves byte[], ReadOnlyMemory<byte>, string (UTF-8), long and double.
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace CoolCache.Client;

/// <summary>A key, value or any other argument of a command. Strings are sent as UTF-8; numbers in Redis's
/// spelling; bytes as they are.</summary>
public readonly struct RedisValue
{
    private readonly object? _ref;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly long _integer;
    private readonly Kind _kind;

    private enum Kind : byte { Memory, Text, Integer, Double }

    private RedisValue(Kind kind, object? reference, ReadOnlyMemory<byte> memory, long integer)
    {
        _kind = kind;
        _ref = reference;
        _memory = memory;
        _integer = integer;
    }

    /// <summary>Bytes, sent as they are.</summary>
    public static implicit operator RedisValue(byte[] value) => new(Kind.Memory, null, value, 0);

    /// <summary>Bytes, sent as they are.</summary>
    public static implicit operator RedisValue(ReadOnlyMemory<byte> value) => new(Kind.Memory, null, value, 0);

    /// <summary>Text, sent as UTF-8.</summary>
    public static implicit operator RedisValue(string value) =>
        new(Kind.Text, value ?? throw new ArgumentNullException(nameof(value)), default, 0);

    /// <summary>An integer, sent in decimal.</summary>
    public static implicit operator RedisValue(long value) => new(Kind.Integer, null, default, value);

    /// <summary>An integer, sent in decimal.</summary>
    public static implicit operator RedisValue(int value) => new(Kind.Integer, null, default, value);

    /// <summary>A double, sent as Redis spells it (<c>inf</c>, <c>-inf</c>, shortest round-trip digits).</summary>
    public static implicit operator RedisValue(double value) =>
        new(Kind.Double, null, default, BitConverter.DoubleToInt64Bits(value));

    /// <summary>Any argument of <see cref="CoolClient.ExecuteAsync(object[])"/>: bytes, strings, numbers, or
    /// anything else by its invariant-culture text.</summary>
    public static RedisValue From(object value) => value switch
    {
        RedisValue v => v,
        byte[] b => b,
        ReadOnlyMemory<byte> m => m,
        Memory<byte> m => (ReadOnlyMemory<byte>)m,
        string s => s,
        int i => i,
        long l => l,
        double d => d,
        float f => (double)f,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        null => throw new ArgumentNullException(nameof(value), "a command argument cannot be null"),
        _ => value.ToString() ?? "",
    };

    /// <summary>The number of bytes this argument takes on the wire (without framing).</summary>
    internal int ByteCount => _kind switch
    {
        Kind.Memory => _memory.Length,
        Kind.Text => Encoding.UTF8.GetByteCount((string)_ref!),
        Kind.Integer => CountDigits(_integer),
        _ => Encoding.ASCII.GetByteCount(RedisReply.FormatDouble(BitConverter.Int64BitsToDouble(_integer))),
    };

    /// <summary>Write the argument's bytes; <paramref name="destination"/> holds at least <see cref="ByteCount"/>.</summary>
    internal int WriteTo(Span<byte> destination)
    {
        switch (_kind)
        {
            case Kind.Memory:
                _memory.Span.CopyTo(destination);
                return _memory.Length;
            case Kind.Text:
                return Encoding.UTF8.GetBytes((string)_ref!, destination);
            case Kind.Integer:
                Utf8Formatter.TryFormat(_integer, destination, out int n);
                return n;
            default:
                return Encoding.ASCII.GetBytes(RedisReply.FormatDouble(BitConverter.Int64BitsToDouble(_integer)), destination);
        }
    }

    /// <summary>The argument's bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[ByteCount];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>The argument as text (UTF-8 decoded for bytes).</summary>
    public override string ToString() => _kind == Kind.Text ? (string)_ref! : Encoding.UTF8.GetString(ToArray());

    private static int CountDigits(long v)
    {
        if (v == long.MinValue)
        {
            return 20;
        }
        int n = v < 0 ? 2 : 1;
        ulong u = (ulong)Math.Abs(v);
        while (u >= 10)
        {
            u /= 10;
            n++;
        }
        return n;
    }
}
