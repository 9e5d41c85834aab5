// One request in flight: its arguments, its deadline, and the task its caller awaits. A batch (a
// transaction) is one request of several commands written back to back and answered by as many replies.
namespace CoolCache.Client;

/// <summary>Completed by the reader loop (inline, no thread hop), by the timeout sweep, by cancellation, or by a
/// connection failure; whichever comes first wins.</summary>
internal sealed class Request : TaskCompletionSource<RedisReply>
{
    public readonly RedisValue[]? Args;
    public readonly RedisValue[][]? Batch;
    public readonly long Deadline;
    public bool Written;
    private RedisReply[]? _collected;
    private int _received;
    public CancellationTokenRegistration Registration;

    public Request(RedisValue[] args, long deadline, bool asynchronous)
        : base(asynchronous ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None)
    {
        Args = args;
        Deadline = deadline;
    }

    public Request(RedisValue[][] batch, long deadline, bool asynchronous)
        : base(asynchronous ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None)
    {
        Batch = batch;
        Deadline = deadline;
    }

    /// <summary>How many replies this request takes.</summary>
    public int ReplyCount => Batch?.Length ?? 1;

    /// <summary>Record a reply; true once the request has all of its replies (then call <see cref="Complete"/>).</summary>
    public bool Accept(RedisReply reply)
    {
        if (Batch is null)
        {
            _collected = [reply];
            return true;
        }
        _collected ??= new RedisReply[Batch.Length];
        _collected[_received++] = reply;
        return _received == Batch.Length;
    }

    /// <summary>Hand the reply (a batch's replies as an array) to the caller.</summary>
    public void Complete()
    {
        Registration.Dispose();
        TrySetResult(Batch is null ? _collected![0] : RedisReply.Aggregate(ReplyKind.Array, _collected!));
    }

    public void Fail(Exception e)
    {
        Registration.Dispose();
        TrySetException(e);
    }

    public string Describe()
    {
        var first = Batch is null ? Args![0] : Batch[0][0];
        return Batch is null ? first.ToString() : $"{first} (a batch of {Batch.Length})";
    }
}
