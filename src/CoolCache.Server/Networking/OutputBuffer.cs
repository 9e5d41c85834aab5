using System.Buffers;

namespace CoolCache.Server.Networking;

/// <summary>
/// A connection's output waiting to be sent: pooled segments filled by writers (the connection's own
/// replies, and other clients' pub/sub deliveries) and emptied by one flusher at a time, which takes
/// whole segments out. Writers hold <see cref="Sync"/> from GetSpan to Advance; they all run under
/// the engine lock, so the lock here only separates them from the flusher.
/// </summary>
public sealed class OutputBuffer : IBufferWriter<byte>
{
    private const int SegmentSize = 16 * 1024;
    private readonly List<ArraySegment<byte>> _filled = new();
    private byte[]? _tail;
    private int _tailCount;
    private long _pending;
    private long _written;

    /// <summary>Taken by writers around their writes and by the flusher to take segments out.</summary>
    public Lock Sync { get; } = new();

    /// <summary>Bytes written and not yet sent (taken-out segments count until Sent); changed under Sync.</summary>
    public long Pending => Volatile.Read(ref _pending);

    /// <summary>Bytes ever written (a position: the flusher has sent everything before it once Sent catches up).</summary>
    public long Written => _written;

    public bool IsEmpty => _tailCount == 0 && _filled.Count == 0;

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var need = Math.Max(sizeHint, 1);
        if (_tail is null || _tail.Length - _tailCount < need)
        {
            if (_tail is not null && _tailCount > 0) _filled.Add(new ArraySegment<byte>(_tail, 0, _tailCount));
            else if (_tail is not null) ArrayPool<byte>.Shared.Return(_tail);
            _tail = ArrayPool<byte>.Shared.Rent(Math.Max(SegmentSize, need));
            _tailCount = 0;
        }
        return _tail.AsMemory(_tailCount);
    }

    public void Advance(int count)
    {
        _tailCount += count;
        _written += count;
        _pending += count;
    }

    /// <summary>Append bytes (a rendered push). Hold <see cref="Sync"/>.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var span = GetSpan(Math.Min(bytes.Length, SegmentSize));
            var n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            Advance(n);
            bytes = bytes[n..];
        }
    }

    /// <summary>Move every written segment into into (for the flusher). Hold <see cref="Sync"/>.</summary>
    public void TakeAll(List<ArraySegment<byte>> into)
    {
        into.AddRange(_filled);
        _filled.Clear();
        if (_tail is not null && _tailCount > 0)
        {
            into.Add(new ArraySegment<byte>(_tail, 0, _tailCount));
            _tail = null;
            _tailCount = 0;
        }
    }

    /// <summary>The flusher sent these segments: give them back to the pool and count them off.</summary>
    public static long Release(List<ArraySegment<byte>> segments)
    {
        long total = 0;
        foreach (var s in segments)
        {
            total += s.Count;
            ArrayPool<byte>.Shared.Return(s.Array!);
        }
        segments.Clear();
        return total;
    }

    /// <summary>Count sent bytes off <see cref="Pending"/>. Hold <see cref="Sync"/>.</summary>
    public void Sent(long bytes) => _pending -= bytes;

    /// <summary>Drop everything not sent (the connection is gone). Hold <see cref="Sync"/>.</summary>
    public void Clear()
    {
        long dropped = 0;
        foreach (var s in _filled)
        {
            dropped += s.Count;
            ArrayPool<byte>.Shared.Return(s.Array!);
        }
        _filled.Clear();
        if (_tail is not null)
        {
            dropped += _tailCount;
            ArrayPool<byte>.Shared.Return(_tail);
            _tail = null;
            _tailCount = 0;
        }
        _pending -= dropped;
    }
}
