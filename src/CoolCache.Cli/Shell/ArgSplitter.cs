namespace CoolCache.Cli.Shell;

/// <summary>
/// redis-cli's quoting rules (sds.c sdssplitargs): arguments separated by blanks; "double quotes" with
/// \n \r \t \b \a \\ \" and \xHH escapes (any other escaped char stands for itself); 'single quotes' where
/// only \' is an escape. A closing quote must be followed by a blank or the end of the line, and an
/// unterminated quote makes the whole line invalid (null).
/// </summary>
public static class ArgSplitter
{
    public static List<byte[]>? Split(ReadOnlySpan<byte> line)
    {
        var args = new List<byte[]>();
        var p = 0;
        var current = new List<byte>();
        while (true)
        {
            while (p < line.Length && IsSpace(line[p])) p++;
            if (p >= line.Length || line[p] == 0) return args;
            var inDouble = false;
            var inSingle = false;
            var done = false;
            current.Clear();
            while (!done)
            {
                var c = At(line, p);
                if (inDouble)
                {
                    if (c == '\\' && At(line, p + 1) == 'x' && IsHex(At(line, p + 2)) && IsHex(At(line, p + 3)))
                    {
                        current.Add((byte)(HexValue(At(line, p + 2)) * 16 + HexValue(At(line, p + 3))));
                        p += 3;
                    }
                    else if (c == '\\' && At(line, p + 1) != 0)
                    {
                        p++;
                        current.Add(At(line, p) switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        });
                    }
                    else if (c == '"')
                    {
                        if (At(line, p + 1) != 0 && !IsSpace(At(line, p + 1))) return null;
                        done = true;
                    }
                    else if (c == 0)
                    {
                        return null;
                    }
                    else
                    {
                        current.Add(c);
                    }
                }
                else if (inSingle)
                {
                    if (c == '\\' && At(line, p + 1) == '\'')
                    {
                        p++;
                        current.Add((byte)'\'');
                    }
                    else if (c == '\'')
                    {
                        if (At(line, p + 1) != 0 && !IsSpace(At(line, p + 1))) return null;
                        done = true;
                    }
                    else if (c == 0)
                    {
                        return null;
                    }
                    else
                    {
                        current.Add(c);
                    }
                }
                else
                {
                    switch (c)
                    {
                        case (byte)' ':
                        case (byte)'\n':
                        case (byte)'\r':
                        case (byte)'\t':
                        case 0:
                            done = true;
                            break;
                        case (byte)'"':
                            inDouble = true;
                            break;
                        case (byte)'\'':
                            inSingle = true;
                            break;
                        default:
                            current.Add(c);
                            break;
                    }
                }
                if (c != 0) p++;
            }
            args.Add(current.ToArray());
        }
    }

    /// <summary>The byte at i, or 0 past the end (the line is read as a C string).</summary>
    private static byte At(ReadOnlySpan<byte> line, int i) => i < line.Length ? line[i] : (byte)0;

    /// <summary>C isspace: space, \t, \n, \v, \f, \r.</summary>
    public static bool IsSpace(byte c) => c == ' ' || (c >= '\t' && c <= '\r');

    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}
