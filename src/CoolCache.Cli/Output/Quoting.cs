namespace CoolCache.Cli.Output;

/// <summary>
/// The two ways redis-cli quotes bytes: sds.c sdscatrepr ("a\x01\"", for terminal and CSV output and key
/// names) and escapeJsonString (for --json: control bytes as \u00XX, other bytes left as they are).
/// </summary>
public static class Quoting
{
    private static readonly byte[] Hex = "0123456789abcdef"u8.ToArray();

    /// <summary>sdscatrepr: in double quotes, \\ \" \n \r \t \a \b escaped, other unprintable bytes as \xHH.</summary>
    public static ByteText AppendRepr(this ByteText output, ReadOnlySpan<byte> bytes)
    {
        output.Append((byte)'"');
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'\\':
                case (byte)'"':
                    output.Append((byte)'\\').Append(b);
                    break;
                case (byte)'\n':
                    output.Append("\\n"u8);
                    break;
                case (byte)'\r':
                    output.Append("\\r"u8);
                    break;
                case (byte)'\t':
                    output.Append("\\t"u8);
                    break;
                case 7:
                    output.Append("\\a"u8);
                    break;
                case 8:
                    output.Append("\\b"u8);
                    break;
                default:
                    if (b is >= 0x20 and < 0x7f)
                        output.Append(b);
                    else
                        output.Append("\\x"u8).Append(Hex[b >> 4]).Append(Hex[b & 15]);
                    break;
            }
        }
        return output.Append((byte)'"');
    }

    /// <summary>redis-cli's escapeJsonString: \\ \" \n \f \r \t \b escaped, bytes 0-31 as \u00XX.</summary>
    public static ByteText AppendJsonString(this ByteText output, ReadOnlySpan<byte> bytes)
    {
        output.Append((byte)'"');
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'\\':
                case (byte)'"':
                    output.Append((byte)'\\').Append(b);
                    break;
                case (byte)'\n':
                    output.Append("\\n"u8);
                    break;
                case (byte)'\f':
                    output.Append("\\f"u8);
                    break;
                case (byte)'\r':
                    output.Append("\\r"u8);
                    break;
                case (byte)'\t':
                    output.Append("\\t"u8);
                    break;
                case 8:
                    output.Append("\\b"u8);
                    break;
                default:
                    if (b <= 0x1f)
                        output.Append("\\u00"u8).Append(Hex[b >> 4]).Append(Hex[b & 15]);
                    else
                        output.Append(b);
                    break;
            }
        }
        return output.Append((byte)'"');
    }

    /// <summary>The bytes before the first NUL: what C's "%s" prints of a reply's text.</summary>
    public static ReadOnlySpan<byte> UpToNul(byte[] text)
    {
        var nul = Array.IndexOf(text, (byte)0);
        return nul < 0 ? text : text.AsSpan(0, nul);
    }
}
