// RESP2/RESP3 reply reader over a span: "here is a reply", "need more bytes" (false, nothing
// consumed), or RedisProtocolException for bytes that are not RESP. Follows the RESP3 specification
// (https://github.com/redis/redis-specifications/blob/master/protocol/RESP3.md); streamed strings
// and aggregates (`$?`, `*?`) are not produced by Redis for replies and are refused.
using System.Buffers.Text;
using System.Text;

namespace CoolCache.Client;

/// <summary>Reads complete replies from a buffer; incremental: a partial reply reads nothing.</summary>
public static class RespReplyReader
{
    private const int MaxDepth = 512;

    /// <summary>Read one reply from the start of <paramref name="buffer"/>. Returns false when the buffer holds
    /// only part of a reply (then <paramref name="consumed"/> is 0); throws <see cref="RedisProtocolException"/>
    /// when the bytes are not RESP.</summary>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out RedisReply reply, out int consumed)
    {
        int pos = 0;
        var r = Read(buffer, ref pos, 0);
        if (r is null)
        {
            reply = RedisReply.Nil;
            consumed = 0;
            return false;
        }
        reply = r;
        consumed = pos;
        return true;
    }

    private static RedisReply? Read(ReadOnlySpan<byte> b, ref int pos, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new RedisProtocolException("reply nested too deeply");
        }
        if (pos >= b.Length)
        {
            return null;
        }
        byte type = b[pos];
        int lineStart = pos + 1;
        int eol = b[lineStart..].IndexOf("\r\n"u8);
        if (eol < 0)
        {
            return null;
        }
        var line = b.Slice(lineStart, eol);
        int next = lineStart + eol + 2;
        switch (type)
        {
            case (byte)'+':
                pos = next;
                return RedisReply.Simple(line.ToArray());
            case (byte)'-':
                pos = next;
                return RedisReply.Error(line.ToArray());
            case (byte)':':
                pos = next;
                return RedisReply.FromInteger(ParseInt(line));
            case (byte)'_':
                pos = next;
                return RedisReply.Nil;
            case (byte)'#':
                pos = next;
                return line.Length == 1 && line[0] == (byte)'t' ? RedisReply.FromBoolean(true)
                    : line.Length == 1 && line[0] == (byte)'f' ? RedisReply.FromBoolean(false)
                    : throw Malformed("boolean", line);
            case (byte)',':
                pos = next;
                return RedisReply.FromDouble(RedisReply.ParseDouble(Encoding.ASCII.GetString(line)));
            case (byte)'(':
                pos = next;
                return RedisReply.BigNumber(line.ToArray());
            case (byte)'$':
            case (byte)'!':
            case (byte)'=':
                return ReadBlob(b, ref pos, type, ParseInt(line), next);
            case (byte)'*':
            case (byte)'~':
            case (byte)'>':
            case (byte)'%':
            case (byte)'|':
                return ReadAggregate(b, ref pos, type, ParseInt(line), next, depth);
            default:
                throw new RedisProtocolException($"unexpected type byte 0x{type:x2} in a reply");
        }
    }

    private static RedisReply? ReadBlob(ReadOnlySpan<byte> b, ref int pos, byte type, long length, int start)
    {
        if (length < 0)
        {
            if (type != (byte)'$' || length != -1)
            {
                throw new RedisProtocolException($"bad length {length}");
            }
            pos = start;
            return RedisReply.Nil;
        }
        if (length > int.MaxValue - 64)
        {
            throw new RedisProtocolException($"bulk length {length} too large");
        }
        long end = (long)start + length + 2;
        if (end > b.Length)
        {
            return null;
        }
        var payload = b.Slice(start, (int)length);
        if (b[(int)end - 2] != (byte)'\r' || b[(int)end - 1] != (byte)'\n')
        {
            throw new RedisProtocolException("bulk string not terminated by CRLF");
        }
        pos = (int)end;
        switch (type)
        {
            case (byte)'!':
                return RedisReply.Error(payload.ToArray());
            case (byte)'=':
                if (payload.Length < 4 || payload[3] != (byte)':')
                {
                    throw new RedisProtocolException("verbatim string without a format");
                }
                return RedisReply.Verbatim(Encoding.ASCII.GetString(payload[..3]), payload[4..].ToArray());
            default:
                return RedisReply.Bulk(payload.ToArray());
        }
    }

    private static RedisReply? ReadAggregate(ReadOnlySpan<byte> b, ref int pos, byte type, long count, int start, int depth)
    {
        if (count < 0)
        {
            if (type != (byte)'*' || count != -1)
            {
                throw new RedisProtocolException($"bad aggregate length {count}");
            }
            pos = start;
            return RedisReply.Nil;
        }
        long n = type is (byte)'%' or (byte)'|' ? count * 2 : count;
        // Every element takes at least 3 bytes: a count beyond the buffer can only be incomplete.
        if (n > (b.Length - start) / 3 + 1 && n > 1 << 20)
        {
            return null;
        }
        var items = n == 0 ? [] : new RedisReply[n];
        int p = start;
        for (int i = 0; i < n; i++)
        {
            var item = Read(b, ref p, depth + 1);
            if (item is null)
            {
                return null;
            }
            items[i] = item;
        }
        if (type == (byte)'|')
        {
            // Attributes precede the reply they describe.
            var described = Read(b, ref p, depth + 1);
            if (described is null)
            {
                return null;
            }
            pos = p;
            return WithAttributes(described, items);
        }
        pos = p;
        var kind = type switch
        {
            (byte)'~' => ReplyKind.Set,
            (byte)'>' => ReplyKind.Push,
            (byte)'%' => ReplyKind.Map,
            _ => ReplyKind.Array,
        };
        return RedisReply.Aggregate(kind, items);
    }

    private static RedisReply WithAttributes(RedisReply r, RedisReply[] attributes) => r.WithAttributes(attributes);

    private static long ParseInt(ReadOnlySpan<byte> line) =>
        Utf8Parser.TryParse(line, out long value, out int used) && used == line.Length
            ? value
            : throw Malformed("integer", line);

    private static RedisProtocolException Malformed(string what, ReadOnlySpan<byte> line) =>
        new($"malformed {what} in a reply: {Encoding.Latin1.GetString(line[..Math.Min(line.Length, 40)])}");
}
