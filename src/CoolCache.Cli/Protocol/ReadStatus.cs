namespace CoolCache.Cli.Protocol;

/// <summary>The outcome of reading one reply from the front of a buffer.</summary>
public enum ReadStatus
{
    /// <summary>A whole reply was read.</summary>
    Complete,

    /// <summary>The buffer holds only part of a reply: read more bytes and try again.</summary>
    Incomplete,

    /// <summary>The bytes are not RESP; the reader's error says why (hiredis's wording).</summary>
    Invalid,
}
