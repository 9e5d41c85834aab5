using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace CoolCache.Cli.Protocol;

/// <summary>
/// Reads RESP2/RESP3 replies (https://redis.io/docs/latest/develop/reference/protocol-spec/) as hiredis 1.0
/// does, the reader redis-cli 7.0 uses: the same types, the same checks and the same error texts, so that
/// coolcache-cli fails where redis-cli fails ("Bad double value", "Protocol error, got ... as reply type
/// byte" for attributes, which that hiredis does not know). Incomplete input consumes nothing.
/// </summary>
public static class ReplyReader
{
    /// <summary>Read one reply from the front of buffer; on Complete, consumed is the bytes it used.</summary>
    public static ReadStatus TryRead(ReadOnlySpan<byte> buffer, out Reply reply, out int consumed, out string error)
    {
        var pos = 0;
        error = "";
        var status = Read(buffer, ref pos, out reply, ref error);
        consumed = status == ReadStatus.Complete ? pos : 0;
        return status;
    }

    private static ReadStatus Read(ReadOnlySpan<byte> buffer, ref int pos, out Reply reply, ref string error)
    {
        reply = Reply.Nil;
        if (pos >= buffer.Length) return ReadStatus.Incomplete;
        var type = buffer[pos];
        switch (type)
        {
            case (byte)'-':
            case (byte)'+':
            case (byte)':':
            case (byte)',':
            case (byte)'_':
            case (byte)'#':
            case (byte)'(':
                return ReadLineItem(buffer, ref pos, type, out reply, ref error);
            case (byte)'$':
            case (byte)'=':
                return ReadBulk(buffer, ref pos, type == '=', out reply, ref error);
            case (byte)'*':
            case (byte)'%':
            case (byte)'~':
            case (byte)'>':
                return ReadAggregate(buffer, ref pos, type, out reply, ref error);
            default:
                error = $"Protocol error, got {Describe(type)} as reply type byte";
                return ReadStatus.Invalid;
        }
    }

    /// <summary>The line after the type byte at pos, up to "\r\n"; false when the terminator has not arrived.</summary>
    private static bool TryLine(ReadOnlySpan<byte> buffer, int pos, out ReadOnlySpan<byte> line, out int next)
    {
        var rest = buffer[(pos + 1)..];
        var searched = 0;
        while (true)
        {
            var cr = rest[searched..].IndexOf((byte)'\r');
            if (cr < 0 || searched + cr + 1 >= rest.Length)
            {
                line = default;
                next = 0;
                return false;
            }
            var at = searched + cr;
            if (rest[at + 1] == '\n')
            {
                line = rest[..at];
                next = pos + 1 + at + 2;
                return true;
            }
            searched = at + 1;
        }
    }

    private static ReadStatus ReadLineItem(ReadOnlySpan<byte> buffer, ref int pos, byte type, out Reply reply, ref string error)
    {
        reply = Reply.Nil;
        if (!TryLine(buffer, pos, out var line, out var next)) return ReadStatus.Incomplete;
        switch (type)
        {
            case (byte)'-':
                reply = Reply.OfText(ReplyType.Error, line.ToArray());
                break;
            case (byte)'+':
                reply = Reply.OfText(ReplyType.Status, line.ToArray());
                break;
            case (byte)':':
                if (!TryParseInteger(line, out var value))
                {
                    error = "Bad integer value";
                    return ReadStatus.Invalid;
                }
                reply = Reply.OfInteger(value);
                break;
            case (byte)',':
                if (!IsDouble(line))
                {
                    error = line.Length > 326 ? "Double value is too large" : "Bad double value";
                    return ReadStatus.Invalid;
                }
                reply = Reply.OfText(ReplyType.Double, line.ToArray());
                break;
            case (byte)'_':
                if (line.Length != 0)
                {
                    error = "Bad nil value";
                    return ReadStatus.Invalid;
                }
                break;
            case (byte)'#':
                if (line.Length != 1 || (line[0] != 't' && line[0] != 'f'))
                {
                    error = "Bad bool value";
                    return ReadStatus.Invalid;
                }
                reply = Reply.OfBool(line[0] == 't');
                break;
            default:
                for (var i = 0; i < line.Length; i++)
                {
                    if (i == 0 && line[0] == '-') continue;
                    if (line[i] < '0' || line[i] > '9')
                    {
                        error = "Bad bignum value";
                        return ReadStatus.Invalid;
                    }
                }
                reply = Reply.OfText(ReplyType.BigNumber, line.ToArray());
                break;
        }
        pos = next;
        return ReadStatus.Complete;
    }

    private static ReadStatus ReadBulk(ReadOnlySpan<byte> buffer, ref int pos, bool verbatim, out Reply reply, ref string error)
    {
        reply = Reply.Nil;
        if (!TryLine(buffer, pos, out var line, out var next)) return ReadStatus.Incomplete;
        if (!TryParseInteger(line, out var length) || length < -1 || length > int.MaxValue - 2)
        {
            error = length < -1 || length > int.MaxValue - 2 ? "Bulk string length out of range" : "Bad bulk string length";
            return ReadStatus.Invalid;
        }
        if (length == -1)
        {
            pos = next;
            return ReadStatus.Complete;
        }
        var n = (int)length;
        if (buffer.Length - next < n + 2) return ReadStatus.Incomplete;
        var payload = buffer.Slice(next, n);
        if (verbatim)
        {
            if (n < 4 || payload[3] != ':')
            {
                error = "Verbatim string 4 bytes of content type are missing or incorrectly encoded.";
                return ReadStatus.Invalid;
            }
            reply = Reply.OfVerbatim(Encoding.ASCII.GetString(payload[..3]), payload[4..].ToArray());
        }
        else
        {
            reply = Reply.OfText(ReplyType.String, payload.ToArray());
        }
        pos = next + n + 2;
        return ReadStatus.Complete;
    }

    private static ReadStatus ReadAggregate(ReadOnlySpan<byte> buffer, ref int pos, byte type, out Reply reply, ref string error)
    {
        reply = Reply.Nil;
        if (!TryLine(buffer, pos, out var line, out var next)) return ReadStatus.Incomplete;
        if (!TryParseInteger(line, out var count) || count < -1 || count > int.MaxValue / 2)
        {
            error = count < -1 || count > int.MaxValue / 2 ? "Multi-bulk length out of range" : "Bad multi-bulk length";
            return ReadStatus.Invalid;
        }
        if (count == -1)
        {
            pos = next;
            return ReadStatus.Complete;
        }
        var kind = type switch
        {
            (byte)'%' => ReplyType.Map,
            (byte)'~' => ReplyType.Set,
            (byte)'>' => ReplyType.Push,
            _ => ReplyType.Array,
        };
        var total = kind == ReplyType.Map ? (int)count * 2 : (int)count;
        // Never trust a count for an allocation before its elements have arrived: at least 3 bytes each.
        if (total > (buffer.Length - next) / 3 + 1) return ReadStatus.Incomplete;
        var elements = new Reply[total];
        var at = next;
        for (var i = 0; i < total; i++)
        {
            var status = Read(buffer, ref at, out elements[i], ref error);
            if (status != ReadStatus.Complete) return status;
        }
        pos = at;
        reply = Reply.OfElements(kind, elements);
        return ReadStatus.Complete;
    }

    /// <summary>hiredis string2ll: an optional '-' then digits, no leading zeros, fitting an int64.</summary>
    private static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 20) return false;
        if (text.Length > 1 && text[0] == '0') return false;
        if (text.Length > 2 && text[0] == '-' && text[1] == '0') return false;
        if (text[0] == '+') return false;
        return Utf8Parser.TryParse(text, out value, out var used) && used == text.Length;
    }

    /// <summary>hiredis's double check: "inf" and "-inf" (any case), else a strtod number that is not NaN.</summary>
    private static bool IsDouble(ReadOnlySpan<byte> text)
    {
        if (text.Length == 0 || text.Length > 326) return false;
        var s = Encoding.ASCII.GetString(text);
        if (s.Equals("inf", StringComparison.OrdinalIgnoreCase) || s.Equals("-inf", StringComparison.OrdinalIgnoreCase)) return true;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsNaN(d);
    }

    /// <summary>A byte as hiredis's chrtos writes it in a protocol error: "x", "\n", "\x01".</summary>
    private static string Describe(byte b) => b switch
    {
        (byte)'\\' or (byte)'"' => $"\"\\{(char)b}\"",
        (byte)'\n' => "\"\\n\"",
        (byte)'\r' => "\"\\r\"",
        (byte)'\t' => "\"\\t\"",
        7 => "\"\\a\"",
        8 => "\"\\b\"",
        >= 0x20 and < 0x7f => $"\"{(char)b}\"",
        _ => $"\"\\x{b:x2}\"",
    };
}
