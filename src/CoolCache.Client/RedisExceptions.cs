// The exceptions CoolClient throws: server errors carry Redis's exact text.
namespace CoolCache.Client;

/// <summary>An error reply from the server; <see cref="Exception.Message"/> is its exact text
/// (e.g. <c>WRONGTYPE Operation against a key holding the wrong kind of value</c>).</summary>
public class RedisServerException : Exception
{
    /// <summary>Wrap an error reply's text.</summary>
    public RedisServerException(string message) : base(message) { }

    /// <summary>The first word of the error (<c>ERR</c>, <c>WRONGTYPE</c>, <c>NOAUTH</c>, <c>EXECABORT</c>...).</summary>
    public string Prefix => Message.Split(' ', 2)[0];
}

/// <summary>The connection failed or was lost before the reply arrived; the request may or may not have run.</summary>
public class RedisConnectionException : Exception
{
    /// <summary>A connection failure with its cause.</summary>
    public RedisConnectionException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>No reply arrived within the request's timeout.</summary>
public class RedisTimeoutException : TimeoutException
{
    /// <summary>A timeout with a description of the request.</summary>
    public RedisTimeoutException(string message) : base(message) { }
}

/// <summary>The server sent bytes that are not RESP.</summary>
public class RedisProtocolException : Exception
{
    /// <summary>A protocol violation with its reason.</summary>
    public RedisProtocolException(string message) : base(message) { }
}
