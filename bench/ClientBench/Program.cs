// Pipelined SET/GET throughput of CoolClient and StackExchange.Redis against the same server, in
// alternating rounds: each round keeps WINDOW requests in flight on one connection until REQUESTS
// SETs and then REQUESTS GETs are answered. Prints ops/s per round and the median of each client.
//   ClientBench PORT [ROUNDS] [REQUESTS] [WINDOW] [VALUE_BYTES]
using System.Diagnostics;
using CoolCache.Client;
using StackExchange.Redis;

int port = int.Parse(args[0]);
int rounds = args.Length > 1 ? int.Parse(args[1]) : 5;
int requests = args.Length > 2 ? int.Parse(args[2]) : 200_000;
int window = args.Length > 3 ? int.Parse(args[3]) : 1000;
int valueBytes = args.Length > 4 ? int.Parse(args[4]) : 16;

var value = new byte[valueBytes];
Random.Shared.NextBytes(value);
var keys = Enumerable.Range(0, 10_000).Select(i => $"bench:{i}").ToArray();

await using var cool = await CoolClient.ConnectAsync(new CoolClientOptions { Port = port, Timeout = TimeSpan.FromSeconds(30) });
using var mux = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,syncTimeout=30000,asyncTimeout=30000");
var db = mux.GetDatabase();
var redisKeys = keys.Select(k => (RedisKey)k).ToArray();

async Task<double> RunAsync(Func<int, Task> set, Func<int, Task> get)
{
    var clock = Stopwatch.StartNew();
    foreach (var op in new[] { set, get })
    {
        var inFlight = new Task[window];
        for (int done = 0; done < requests; done += window)
        {
            int n = Math.Min(window, requests - done);
            for (int i = 0; i < n; i++)
            {
                inFlight[i] = op(done + i);
            }
            await Task.WhenAll(inFlight.AsSpan(0, n)).ConfigureAwait(false);
        }
    }
    return 2.0 * requests / clock.Elapsed.TotalSeconds;
}

Task<double> Cool() => RunAsync(
    i => cool.SetAsync(keys[i % keys.Length], value),
    i => cool.GetAsync(keys[i % keys.Length]));

Task<double> Se() => RunAsync(
    i => db.StringSetAsync(redisKeys[i % redisKeys.Length], value),
    i => db.StringGetAsync(redisKeys[i % redisKeys.Length]));

// Warm both up (JIT, connection buffers).
await Cool();
await Se();

var coolRates = new List<double>();
var seRates = new List<double>();
for (int r = 0; r < rounds; r++)
{
    coolRates.Add(await Cool());
    seRates.Add(await Se());
    Console.WriteLine($"round {r + 1}: CoolClient {coolRates[^1]:N0} ops/s, StackExchange.Redis {seRates[^1]:N0} ops/s");
}

static double Median(List<double> xs)
{
    var s = xs.OrderBy(x => x).ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}

double c = Median(coolRates), e = Median(seRates);
Console.WriteLine($"median: CoolClient {c:N0} ops/s, StackExchange.Redis {e:N0} ops/s, ratio {c / e:F2} " +
    $"({rounds} rounds of {requests} SET + {requests} GET, window {window}, {valueBytes}-byte values)");
