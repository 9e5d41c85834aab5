namespace CoolCache.Cli.Protocol;

/// <summary>
/// One reply as hiredis represents it: text replies keep their bytes (binary-safe, doubles and big
/// numbers as the server wrote them), a map's elements are its keys and values in turn.
/// </summary>
public sealed class Reply
{
    private static readonly Reply[] NoElements = [];

    private Reply(ReplyType type, byte[] text, long integer, Reply[] elements, string format)
    {
        Type = type;
        Text = text;
        Integer = integer;
        Elements = elements;
        Format = format;
    }

    public ReplyType Type { get; }

    /// <summary>The bytes of a string, status, error, double, big number or verbatim reply (empty otherwise).</summary>
    public byte[] Text { get; }

    /// <summary>An integer reply's value; 1 or 0 for a boolean.</summary>
    public long Integer { get; }

    /// <summary>The elements of an array, set or push; a map's keys and values in turn.</summary>
    public Reply[] Elements { get; }

    /// <summary>A verbatim string's three-letter format ("txt", "mkd").</summary>
    public string Format { get; }

    public static Reply Nil { get; } = new(ReplyType.Nil, [], 0, NoElements, "");

    public static Reply OfText(ReplyType type, byte[] text) => new(type, text, 0, NoElements, "");

    public static Reply OfInteger(long value) => new(ReplyType.Integer, [], value, NoElements, "");

    public static Reply OfBool(bool value) => new(ReplyType.Bool, [], value ? 1 : 0, NoElements, "");

    public static Reply OfVerbatim(string format, byte[] text) => new(ReplyType.Verbatim, text, 0, NoElements, format);

    public static Reply OfElements(ReplyType type, Reply[] elements) => new(type, [], 0, elements, "");

    public bool IsAggregate => Type is ReplyType.Array or ReplyType.Map or ReplyType.Set or ReplyType.Push;

    /// <summary>The text as a .NET string (UTF-8), for messages and decisions, never for output.</summary>
    public string TextString => System.Text.Encoding.UTF8.GetString(Text);
}
