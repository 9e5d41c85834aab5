// MULTI ... EXEC as one batch: the commands are queued here, then written back to back on the shared
// connection (no other caller's command can come in between), and each command's task completes
// with its own result from EXEC's reply.
namespace CoolCache.Client;

/// <summary>A transaction: add commands, then <see cref="ExecuteAsync"/>. Each added command's task completes
/// with its result from EXEC (or fails with its own error). WATCH needs a connection of its own: use a dedicated
/// <see cref="CoolClient"/> and send WATCH/MULTI/EXEC with <see cref="CoolClient.ExecuteAsync(object[])"/>.</summary>
public sealed class CoolTransaction
{
    private readonly CoolClient _client;
    private readonly List<(RedisValue[] Args, TaskCompletionSource<RedisReply> Result)> _commands = [];
    private bool _executed;

    internal CoolTransaction(CoolClient client) => _client = client;

    /// <summary>Queue a command; its task completes when the transaction has run.</summary>
    public Task<RedisReply> Add(params object[] args)
    {
        if (_executed)
        {
            throw new InvalidOperationException("the transaction has already run");
        }
        var tcs = new TaskCompletionSource<RedisReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _commands.Add(([.. args.Select(RedisValue.From)], tcs));
        return tcs.Task;
    }

    /// <summary>The number of commands queued.</summary>
    public int Count => _commands.Count;

    /// <summary>Send MULTI, the commands and EXEC. Returns the results in order. Throws
    /// <see cref="RedisServerException"/> (EXECABORT ...) when the server refused a command while queueing;
    /// then every command's task fails with its own error.</summary>
    public async Task<RedisReply[]> ExecuteAsync(CancellationToken cancel = default)
    {
        _executed = true;
        var batch = new RedisValue[_commands.Count + 2][];
        batch[0] = ["MULTI"];
        for (int i = 0; i < _commands.Count; i++)
        {
            batch[i + 1] = _commands[i].Args;
        }
        batch[^1] = ["EXEC"];
        RedisReply replies;
        try
        {
            replies = await _client.SendBatchAsync(batch, cancel).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var c in _commands)
            {
                c.Result.TrySetException(e);
            }
            throw;
        }
        var exec = replies[^1];
        if (exec.IsError)
        {
            for (int i = 0; i < _commands.Count; i++)
            {
                var queued = replies[i + 1];
                _commands[i].Result.TrySetException(new RedisServerException(queued.IsError ? queued.ErrorMessage! : exec.ErrorMessage!));
            }
            throw new RedisServerException(exec.ErrorMessage!);
        }
        replies[0].ThrowIfError();
        var results = exec.IsNull ? [] : exec.Items.ToArray();
        for (int i = 0; i < _commands.Count; i++)
        {
            if (i >= results.Length)
            {
                _commands[i].Result.TrySetCanceled(CancellationToken.None);
            }
            else if (results[i].IsError)
            {
                _commands[i].Result.TrySetException(new RedisServerException(results[i].ErrorMessage!));
            }
            else
            {
                _commands[i].Result.TrySetResult(results[i]);
            }
        }
        return results;
    }
}
