// PUBLISH fan-out benchmark client (scripts/bench-pubsub.sh): S subscribers SUBSCRIBE to one channel,
// one publisher sends PUBLISH pipelined (W commands per round trip) for D seconds, and the subscribers
// count what they receive. Every message has the same size, so a subscriber counts bytes, not frames.
// The publisher pauses while more than MaxBacklog messages are on their way (published x subscribers,
// minus received), so neither server lets subscriber buffers reach client-output-buffer-limit.
//   PubSubBench PORT [SUBSCRIBERS=50] [SECONDS=5] [PAYLOAD=16] [WINDOW=32]
// Prints: "delivered=N seconds=T rate=R published=P" (rate = messages received per second, all subscribers).
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

var port = int.Parse(args[0]);
var subscribers = args.Length > 1 ? int.Parse(args[1]) : 50;
var seconds = args.Length > 2 ? double.Parse(args[2]) : 5.0;
var payload = args.Length > 3 ? int.Parse(args[3]) : 16;
var window = args.Length > 4 ? int.Parse(args[4]) : 32;
const string channel = "bench-channel";
const long maxBacklog = 200_000;

static byte[] Command(params byte[][] parts)
{
    var sb = new MemoryStream();
    void Ascii(string s) => sb.Write(Encoding.ASCII.GetBytes(s));
    Ascii($"*{parts.Length}\r\n");
    foreach (var p in parts)
    {
        Ascii($"${p.Length}\r\n");
        sb.Write(p);
        Ascii("\r\n");
    }
    return sb.ToArray();
}

static async Task<Socket> Connect(int port)
{
    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
    return s;
}

static async Task ReadExactly(Socket s, int count)
{
    var buf = new byte[count];
    var got = 0;
    while (got < count)
    {
        var n = await s.ReceiveAsync(buf.AsMemory(got), SocketFlags.None);
        if (n == 0) throw new IOException("server closed the connection");
        got += n;
    }
}

var channelBytes = Encoding.ASCII.GetBytes(channel);
var message = Encoding.ASCII.GetBytes(new string('m', payload));
// *3 $7 message $len channel $len payload
var pushSize = Command(Encoding.ASCII.GetBytes("message"), channelBytes, message).Length;
var received = new long[subscribers];
var sockets = new Socket[subscribers];
for (var i = 0; i < subscribers; i++)
{
    sockets[i] = await Connect(port);
    await sockets[i].SendAsync(Command(Encoding.ASCII.GetBytes("SUBSCRIBE"), channelBytes));
}
// Confirmations: *3\r\n$9\r\nsubscribe\r\n$N\r\nchannel\r\n:1\r\n
var confirmation = 4 + 4 + 9 + 2 + ($"${channelBytes.Length}\r\n").Length + channelBytes.Length + 2 + 4;
foreach (var s in sockets) await ReadExactly(s, confirmation);

var stop = new CancellationTokenSource();
var readers = new Task[subscribers];
for (var i = 0; i < subscribers; i++)
{
    var index = i;
    readers[i] = Task.Run(async () =>
    {
        var buf = new byte[256 * 1024];
        var s = sockets[index];
        try
        {
            while (true)
            {
                var n = await s.ReceiveAsync(buf, SocketFlags.None, stop.Token);
                if (n == 0) return;
                Interlocked.Add(ref received[index], n);
            }
        }
        catch (OperationCanceledException) { }
    });
}

long Delivered()
{
    long total = 0;
    for (var i = 0; i < subscribers; i++) total += Volatile.Read(ref received[i]);
    return total / pushSize;
}

var publisher = await Connect(port);
var one = Command(Encoding.ASCII.GetBytes("PUBLISH"), channelBytes, message);
var batch = new byte[one.Length * window];
for (var i = 0; i < window; i++) one.CopyTo(batch, i * one.Length);
var reply = Encoding.ASCII.GetBytes($":{subscribers}\r\n").Length;
var replies = new byte[reply * window];

long baseline = 0;

// Warm-up: a second of publishing, not counted.
async Task<long> Publish(double forSeconds)
{
    long published = 0;
    var sw = Stopwatch.StartNew();
    while (sw.Elapsed.TotalSeconds < forSeconds)
    {
        while (published * subscribers - (Delivered() - baseline) > maxBacklog) await Task.Yield();
        await publisher.SendAsync(batch, SocketFlags.None);
        var got = 0;
        while (got < replies.Length)
        {
            var n = await publisher.ReceiveAsync(replies.AsMemory(got), SocketFlags.None);
            if (n == 0) throw new IOException("server closed the publisher");
            got += n;
        }
        published += window;
    }
    return published;
}

var warm = await Publish(1.0);
var deadline = Stopwatch.StartNew();
while (Delivered() < warm * subscribers && deadline.Elapsed.TotalSeconds < 10) await Task.Delay(1);
baseline = Delivered();

var clock = Stopwatch.StartNew();
var total = await Publish(seconds);
deadline.Restart();
while (Delivered() - baseline < total * subscribers && deadline.Elapsed.TotalSeconds < 10) await Task.Delay(1);
var elapsed = clock.Elapsed.TotalSeconds;
var delivered = Delivered() - baseline;
stop.Cancel();
foreach (var s in sockets) s.Dispose();
publisher.Dispose();
Console.WriteLine($"delivered={delivered} seconds={elapsed:F3} rate={delivered / elapsed:F0} published={total} expected={total * subscribers}");
