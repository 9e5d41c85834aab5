namespace CoolCache.Server.Replication;

/// <summary>
/// The replication backlog (replication.c repl_backlog): the last <c>repl-backlog-size</c> bytes of the
/// replication stream in a ring, with the stream offset they end at, so a replica that lost its link
/// can continue (PSYNC ... offset) instead of syncing in full. Used under the engine lock.
/// </summary>
public sealed class ReplicationBacklog
{
    private byte[] _ring;
    private int _next;

    public ReplicationBacklog(long size, long offset)
    {
        _ring = new byte[Math.Max(16 * 1024, size)];
        Offset = offset;
    }

    /// <summary>master_repl_offset: every byte ever fed, counted from the replication ID's start.</summary>
    public long Offset { get; private set; }

    /// <summary>repl_backlog_histlen: how many of the last bytes are held.</summary>
    public long HistLen { get; private set; }

    public long Size => _ring.Length;

    /// <summary>repl_backlog_first_byte_offset: the offset of the oldest byte held (1-based, as Redis).</summary>
    public long FirstByteOffset => Offset - HistLen + 1;

    public void Append(ReadOnlySpan<byte> data)
    {
        Offset += data.Length;
        HistLen = Math.Min(_ring.Length, HistLen + data.Length);
        if (data.Length >= _ring.Length)
        {
            data[^_ring.Length..].CopyTo(_ring);
            _next = 0;
            return;
        }
        var first = Math.Min(data.Length, _ring.Length - _next);
        data[..first].CopyTo(_ring.AsSpan(_next));
        data[first..].CopyTo(_ring);
        _next = (_next + data.Length) % _ring.Length;
    }

    /// <summary>The bytes from offset <paramref name="wanted"/> (the next byte a replica needs) to the end, or null when they are no longer held.</summary>
    public byte[]? From(long wanted)
    {
        if (wanted < FirstByteOffset || wanted > Offset + 1) return null;
        var n = (int)(Offset + 1 - wanted);
        var result = new byte[n];
        var start = (_next - n + _ring.Length) % _ring.Length;
        var first = Math.Min(n, _ring.Length - start);
        _ring.AsSpan(start, first).CopyTo(result);
        _ring.AsSpan(0, n - first).CopyTo(result.AsSpan(first));
        return result;
    }
}
