// One reply from the server, as read by RespReplyReader: a small immutable tree.
using System.Globalization;
using System.Text;

namespace CoolCache.Client;

/// <summary>A reply of any RESP2/RESP3 type. Strings and errors keep their exact bytes.</summary>
public sealed class RedisReply : IEquatable<RedisReply>
{
    private static readonly RedisReply[] NoItems = [];

    /// <summary>The shared null reply.</summary>
    public static readonly RedisReply Nil = new(ReplyKind.Null, null, 0, 0, null);

    /// <summary>The reply's type.</summary>
    public ReplyKind Kind { get; }

    /// <summary>The payload of strings, errors, big numbers and verbatim strings; null otherwise.</summary>
    public byte[]? Bytes { get; }

    /// <summary>The value of an integer reply, or 1/0 for a boolean.</summary>
    public long Integer { get; }

    /// <summary>The value of a double reply.</summary>
    public double Double { get; }

    /// <summary>The elements of arrays, sets and pushes; keys and values alternately for maps.</summary>
    public IReadOnlyList<RedisReply> Items => _items ?? NoItems;

    /// <summary>RESP3 attributes that preceded this reply (keys and values alternately), if any.</summary>
    public IReadOnlyList<RedisReply>? Attributes { get; init; }

    /// <summary>For verbatim strings, the three-letter format (<c>txt</c>, <c>mkd</c>).</summary>
    public string? Format { get; init; }

    private readonly RedisReply[]? _items;

    private RedisReply(ReplyKind kind, byte[]? bytes, long integer, double dbl, RedisReply[]? items)
    {
        Kind = kind;
        Bytes = bytes;
        Integer = integer;
        Double = dbl;
        _items = items;
    }

    /// <summary>A simple string.</summary>
    public static RedisReply Simple(byte[] text) => new(ReplyKind.SimpleString, text, 0, 0, null);

    /// <summary>An error; <paramref name="text"/> is the whole line, e.g. <c>ERR syntax error</c>.</summary>
    public static RedisReply Error(byte[] text) => new(ReplyKind.Error, text, 0, 0, null);

    /// <summary>An integer.</summary>
    public static RedisReply FromInteger(long value) => new(ReplyKind.Integer, null, value, 0, null);

    /// <summary>A bulk string.</summary>
    public static RedisReply Bulk(byte[] payload) => new(ReplyKind.BulkString, payload, 0, 0, null);

    /// <summary>A RESP3 double.</summary>
    public static RedisReply FromDouble(double value) => new(ReplyKind.Double, null, 0, value, null);

    /// <summary>A RESP3 boolean.</summary>
    public static RedisReply FromBoolean(bool value) => new(ReplyKind.Boolean, null, value ? 1 : 0, 0, null);

    /// <summary>A RESP3 big number (its decimal digits).</summary>
    public static RedisReply BigNumber(byte[] digits) => new(ReplyKind.BigNumber, digits, 0, 0, null);

    /// <summary>A RESP3 verbatim string.</summary>
    public static RedisReply Verbatim(string format, byte[] payload) =>
        new(ReplyKind.VerbatimString, payload, 0, 0, null) { Format = format };

    /// <summary>An aggregate: array, set, push, or map (keys and values alternately).</summary>
    public static RedisReply Aggregate(ReplyKind kind, RedisReply[] items)
    {
        if (kind is not (ReplyKind.Array or ReplyKind.Map or ReplyKind.Set or ReplyKind.Push))
        {
            throw new ArgumentException($"{kind} is not an aggregate", nameof(kind));
        }
        return new(kind, null, 0, 0, items);
    }

    internal RedisReply WithAttributes(RedisReply[] attributes) =>
        new(Kind, Bytes, Integer, Double, _items) { Attributes = attributes, Format = Format };

    /// <summary>True for nulls (RESP2 null bulk and null array, RESP3 null).</summary>
    public bool IsNull => Kind == ReplyKind.Null;

    /// <summary>True for error replies.</summary>
    public bool IsError => Kind == ReplyKind.Error;

    /// <summary>True for arrays, maps, sets and pushes.</summary>
    public bool IsAggregate => _items is not null;

    /// <summary>The number of elements of an aggregate (pairs count twice in maps).</summary>
    public int Count => _items?.Length ?? 0;

    /// <summary>An element of an aggregate.</summary>
    public RedisReply this[int index] => Items[index];

    /// <summary>The error text (<c>ERR ...</c>, <c>WRONGTYPE ...</c>) or null when this is not an error.</summary>
    public string? ErrorMessage => IsError ? Encoding.UTF8.GetString(Bytes!) : null;

    /// <summary>Throw a <see cref="RedisServerException"/> when this is an error; return this otherwise.</summary>
    public RedisReply ThrowIfError() => IsError ? throw new RedisServerException(ErrorMessage!) : this;

    /// <summary>The payload as UTF-8 text, the number as text, or null for nulls and aggregates.</summary>
    public string? AsString() => Kind switch
    {
        ReplyKind.Integer => Integer.ToString(CultureInfo.InvariantCulture),
        ReplyKind.Double => FormatDouble(Double),
        ReplyKind.Boolean => Integer != 0 ? "1" : "0",
        _ => Bytes is null ? null : Encoding.UTF8.GetString(Bytes),
    };

    /// <summary>The payload bytes (numbers as their text), or null for nulls and aggregates.</summary>
    public byte[]? AsBytes() => Bytes ?? (IsNull || IsAggregate ? null : Encoding.ASCII.GetBytes(AsString()!));

    /// <summary>The reply as an integer: integers, booleans, and strings holding one.</summary>
    public long AsInt64() => Kind switch
    {
        ReplyKind.Integer or ReplyKind.Boolean => Integer,
        ReplyKind.Double => (long)Double,
        ReplyKind.Error => throw new RedisServerException(ErrorMessage!),
        _ when Bytes is not null => long.Parse(Encoding.ASCII.GetString(Bytes), CultureInfo.InvariantCulture),
        _ => throw new InvalidCastException($"a {Kind} reply is not an integer"),
    };

    /// <summary>The reply as a double: doubles, integers, and strings holding one (<c>inf</c> too).</summary>
    public double AsDouble() => Kind switch
    {
        ReplyKind.Double => Double,
        ReplyKind.Integer => Integer,
        ReplyKind.Error => throw new RedisServerException(ErrorMessage!),
        _ when Bytes is not null => ParseDouble(Encoding.ASCII.GetString(Bytes)),
        _ => throw new InvalidCastException($"a {Kind} reply is not a number"),
    };

    /// <summary>The reply as a boolean: RESP3 booleans, integers (non-zero) and <c>OK</c>.</summary>
    public bool AsBoolean() => Kind switch
    {
        ReplyKind.Boolean or ReplyKind.Integer => Integer != 0,
        ReplyKind.SimpleString => true,
        ReplyKind.Null => false,
        ReplyKind.Error => throw new RedisServerException(ErrorMessage!),
        _ => throw new InvalidCastException($"a {Kind} reply is not a boolean"),
    };

    /// <summary>Redis's spelling of a double (<c>inf</c>, <c>-inf</c>, <c>nan</c>, shortest round-trip digits).</summary>
    public static string FormatDouble(double d) =>
        double.IsPositiveInfinity(d) ? "inf"
        : double.IsNegativeInfinity(d) ? "-inf"
        : double.IsNaN(d) ? "nan"
        : d.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Parse Redis's spelling of a double.</summary>
    public static double ParseDouble(string s) => s.ToLowerInvariant() switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" => double.NaN,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <inheritdoc/>
    public bool Equals(RedisReply? other)
    {
        if (other is null || other.Kind != Kind || other.Integer != Integer || other.Format != Format)
        {
            return false;
        }
        if (!(Kind != ReplyKind.Double || Double.Equals(other.Double)))
        {
            return false;
        }
        if ((Bytes is null) != (other.Bytes is null) || (Bytes is not null && !Bytes.AsSpan().SequenceEqual(other.Bytes)))
        {
            return false;
        }
        return Items.Count == other.Items.Count && Items.Zip(other.Items).All(p => p.First.Equals(p.Second));
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RedisReply r && Equals(r);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Integer, Count, Bytes?.Length ?? -1);

    /// <summary>A readable rendering, for logs and test failures.</summary>
    public override string ToString() => Kind switch
    {
        ReplyKind.Null => "(nil)",
        ReplyKind.Error => $"(error) {ErrorMessage}",
        ReplyKind.Integer => $"(integer) {Integer}",
        ReplyKind.Double => $"(double) {FormatDouble(Double)}",
        ReplyKind.Boolean => Integer != 0 ? "(true)" : "(false)",
        _ when IsAggregate => $"{Kind}[{string.Join(", ", Items)}]",
        _ => $"\"{AsString()}\"",
    };
}
