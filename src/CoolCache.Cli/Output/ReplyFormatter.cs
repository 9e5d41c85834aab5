using System.Globalization;
using CoolCache.Cli.Protocol;

namespace CoolCache.Cli.Output;

/// <summary>
/// Renders replies as redis-cli 7.0 does (redis-cli.c cliFormatReplyTTY, cliFormatReplyRaw,
/// cliFormatReplyCSV, cliFormatReplyJson): byte for byte, including its quirks (errors and statuses print
/// up to a NUL byte; raw maps print "key value"; CSV has no maps; JSON turns non-string map keys into
/// strings). A big number is no type redis-cli 7.0 can print: UnknownReplyTypeException.
/// </summary>
public static class ReplyFormatter
{
    /// <summary>A whole reply as printed in the given mode, its terminator included.</summary>
    public static ByteText Format(Reply reply, OutputMode mode, bool rawStrings = false)
    {
        var output = new ByteText();
        if (rawStrings)
        {
            Raw(output, reply);
            return output;
        }
        switch (mode)
        {
            case OutputMode.Standard:
                Terminal(output, reply, "");
                break;
            case OutputMode.Raw:
                Raw(output, reply);
                output.Append((byte)'\n');
                break;
            case OutputMode.Csv:
                Csv(output, reply);
                output.Append((byte)'\n');
                break;
            default:
                Json(output, reply);
                output.Append((byte)'\n');
                break;
        }
        return output;
    }

    /// <summary>An "invalidate" push in terminal mode: "-> invalidate: 'a', 'b'".</summary>
    public static bool IsInvalidate(Reply reply) =>
        reply.Type == ReplyType.Push && reply.Elements.Length == 2
        && reply.Elements[0].Type == ReplyType.String && reply.Elements[0].Text.AsSpan().StartsWith("invalidate"u8)
        && reply.Elements[1].Type == ReplyType.Array;

    public static ByteText FormatInvalidate(Reply reply)
    {
        var output = new ByteText().Append("-> invalidate: "u8);
        var keys = reply.Elements[1].Elements;
        for (var i = 0; i < keys.Length; i++)
        {
            output.Append((byte)'\'').Append(Quoting.UpToNul(keys[i].Text)).Append((byte)'\'');
            if (i < keys.Length - 1) output.Append(", "u8);
        }
        return output.Append((byte)'\n');
    }

    private static void Terminal(ByteText output, Reply r, string prefix)
    {
        switch (r.Type)
        {
            case ReplyType.Error:
                output.Append("(error) "u8).Append(Quoting.UpToNul(r.Text)).Append((byte)'\n');
                break;
            case ReplyType.Status:
                output.Append(Quoting.UpToNul(r.Text)).Append((byte)'\n');
                break;
            case ReplyType.Integer:
                output.Append("(integer) "u8).Append(r.Integer.ToString(CultureInfo.InvariantCulture)).Append((byte)'\n');
                break;
            case ReplyType.Double:
                output.Append("(double) "u8).Append(Quoting.UpToNul(r.Text)).Append((byte)'\n');
                break;
            case ReplyType.String:
                output.AppendRepr(r.Text).Append((byte)'\n');
                break;
            case ReplyType.Verbatim:
                output.Append(r.Text).Append((byte)'\n');
                break;
            case ReplyType.Nil:
                output.Append("(nil)\n"u8);
                break;
            case ReplyType.Bool:
                output.Append(r.Integer != 0 ? "(true)\n"u8 : "(false)\n"u8);
                break;
            case ReplyType.Array:
            case ReplyType.Map:
            case ReplyType.Set:
            case ReplyType.Push:
                TerminalAggregate(output, r, prefix);
                break;
            default:
                throw new UnknownReplyTypeException(r.Type);
        }
    }

    private static void TerminalAggregate(ByteText output, Reply r, string prefix)
    {
        if (r.Elements.Length == 0)
        {
            output.Append(r.Type switch
            {
                ReplyType.Array => "(empty array)\n"u8,
                ReplyType.Map => "(empty hash)\n"u8,
                ReplyType.Set => "(empty set)\n"u8,
                _ => "(empty push)\n"u8,
            });
            return;
        }
        var isMap = r.Type == ReplyType.Map;
        var count = isMap ? r.Elements.Length / 2 : r.Elements.Length;
        var width = count.ToString(CultureInfo.InvariantCulture).Length;
        var inner = prefix + new string(' ', width + 2);
        var separator = r.Type switch
        {
            ReplyType.Set => '~',
            ReplyType.Map => '#',
            _ => ')',
        };
        for (var i = 0; i < r.Elements.Length; i++)
        {
            var index = (isMap ? i / 2 : i) + 1;
            output.Append(i == 0 ? "" : prefix)
                .Append(index.ToString(CultureInfo.InvariantCulture).PadLeft(width))
                .Append((byte)separator)
                .Append((byte)' ');
            Terminal(output, r.Elements[i], inner);
            if (isMap)
            {
                i++;
                output.DropLast();
                output.Append(" => "u8);
                if (IsMultiline(r.Elements[i])) output.Append((byte)'\n').Append(inner);
                Terminal(output, r.Elements[i], inner);
            }
        }
    }

    /// <summary>redis-cli cliIsMultilineValueTTY: whether a map value is printed on several lines.</summary>
    private static bool IsMultiline(Reply r) => r.Type switch
    {
        ReplyType.Array or ReplyType.Set or ReplyType.Push =>
            r.Elements.Length > 1 || (r.Elements.Length == 1 && IsMultiline(r.Elements[0])),
        ReplyType.Map => r.Elements.Length > 2 || (r.Elements.Length == 2 && IsMultiline(r.Elements[1])),
        _ => false,
    };

    private static void Raw(ByteText output, Reply r)
    {
        switch (r.Type)
        {
            case ReplyType.Nil:
                break;
            case ReplyType.Error:
                output.Append(r.Text).Append((byte)'\n');
                break;
            case ReplyType.Status:
            case ReplyType.String:
            case ReplyType.Verbatim:
            case ReplyType.Double:
                output.Append(r.Text);
                break;
            case ReplyType.Bool:
                output.Append(r.Integer != 0 ? "(true)"u8 : "(false)"u8);
                break;
            case ReplyType.Integer:
                output.Append(r.Integer.ToString(CultureInfo.InvariantCulture));
                break;
            case ReplyType.Array:
            case ReplyType.Set:
            case ReplyType.Push:
                for (var i = 0; i < r.Elements.Length; i++)
                {
                    if (i > 0) output.Append((byte)'\n');
                    Raw(output, r.Elements[i]);
                }
                break;
            case ReplyType.Map:
                for (var i = 0; i < r.Elements.Length; i += 2)
                {
                    if (i > 0) output.Append((byte)'\n');
                    Raw(output, r.Elements[i]);
                    output.Append((byte)' ');
                    Raw(output, r.Elements[i + 1]);
                }
                break;
            default:
                throw new UnknownReplyTypeException(r.Type);
        }
    }

    private static void Csv(ByteText output, Reply r)
    {
        switch (r.Type)
        {
            case ReplyType.Error:
                output.Append("ERROR,"u8).AppendRepr(Quoting.UpToNul(r.Text));
                break;
            case ReplyType.Status:
            case ReplyType.String:
            case ReplyType.Verbatim:
                output.AppendRepr(r.Text);
                break;
            case ReplyType.Integer:
                output.Append(r.Integer.ToString(CultureInfo.InvariantCulture));
                break;
            case ReplyType.Double:
                output.Append(r.Text);
                break;
            case ReplyType.Nil:
                output.Append("NULL"u8);
                break;
            case ReplyType.Bool:
                output.Append(r.Integer != 0 ? "true"u8 : "false"u8);
                break;
            case ReplyType.Array:
            case ReplyType.Set:
            case ReplyType.Push:
            case ReplyType.Map:
                for (var i = 0; i < r.Elements.Length; i++)
                {
                    Csv(output, r.Elements[i]);
                    if (i != r.Elements.Length - 1) output.Append((byte)',');
                }
                break;
            default:
                throw new UnknownReplyTypeException(r.Type);
        }
    }

    private static void Json(ByteText output, Reply r)
    {
        switch (r.Type)
        {
            case ReplyType.Error:
                output.Append("error:"u8).AppendJsonString(Quoting.UpToNul(r.Text));
                break;
            case ReplyType.Status:
            case ReplyType.String:
            case ReplyType.Verbatim:
                output.AppendJsonString(r.Text);
                break;
            case ReplyType.Integer:
                output.Append(r.Integer.ToString(CultureInfo.InvariantCulture));
                break;
            case ReplyType.Double:
                output.Append(r.Text);
                break;
            case ReplyType.Nil:
                output.Append("null"u8);
                break;
            case ReplyType.Bool:
                output.Append(r.Integer != 0 ? "true"u8 : "false"u8);
                break;
            case ReplyType.Array:
            case ReplyType.Set:
            case ReplyType.Push:
                output.Append((byte)'[');
                for (var i = 0; i < r.Elements.Length; i++)
                {
                    Json(output, r.Elements[i]);
                    if (i != r.Elements.Length - 1) output.Append((byte)',');
                }
                output.Append((byte)']');
                break;
            case ReplyType.Map:
                output.Append((byte)'{');
                for (var i = 0; i < r.Elements.Length; i += 2)
                {
                    JsonKey(output, r.Elements[i]);
                    output.Append((byte)':');
                    Json(output, r.Elements[i + 1]);
                    if (i != r.Elements.Length - 2) output.Append((byte)',');
                }
                output.Append((byte)'}');
                break;
            default:
                throw new UnknownReplyTypeException(r.Type);
        }
    }

    /// <summary>JSON keys are strings: a key of another type is printed, then quoted unless it already is.</summary>
    private static void JsonKey(ByteText output, Reply key)
    {
        if (key.Type is ReplyType.Error or ReplyType.Status or ReplyType.String or ReplyType.Verbatim)
        {
            Json(output, key);
            return;
        }
        var text = new ByteText();
        Json(text, key);
        if (text.Length > 0 && text.Span[0] == '"')
            output.Append(text.Span);
        else
            output.Append((byte)'"').Append(text.Span).Append((byte)'"');
    }
}
