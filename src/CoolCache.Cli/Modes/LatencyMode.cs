using System.Diagnostics;
using System.Globalization;
using CoolCache.Cli.Output;
using CoolCache.Cli.Session;

namespace CoolCache.Cli.Modes;

/// <summary>
/// --latency: PING every 10 ms and report min, max and average round trip in milliseconds (redis-cli
/// latencyMode). On a terminal the line is redrawn after every sample, forever; with --raw or --csv (or
/// when stdout is not a terminal) it samples for -i seconds (default 1), prints one line and exits.
/// </summary>
public static class LatencyMode
{
    public static int Run(CliSession session)
    {
        var output = session.Options.Output;
        var intervalMs = session.Options.Interval > 0 ? (long)(session.Options.Interval * 1000) : 1000;
        long min = 0, max = 0, total = 0, count = 0;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var start = clock.ElapsedMilliseconds;
            Reconnecting.Call(session, "PING");
            var latency = clock.ElapsedMilliseconds - start;
            count++;
            if (count == 1)
            {
                min = max = total = latency;
            }
            else
            {
                min = Math.Min(min, latency);
                max = Math.Max(max, latency);
                total += latency;
            }
            var average = (double)total / count;
            if (output == OutputMode.Standard)
            {
                session.Printer.Write("\x1b[0G\x1b[2K" + Line(output, min, max, average, count));
            }
            else if (clock.ElapsedMilliseconds > intervalMs)
            {
                session.Printer.Write(Line(output, min, max, average, count));
                return 0;
            }
            Thread.Sleep(10);
        }
    }

    private static string Line(OutputMode output, long min, long max, double average, long count) => output switch
    {
        OutputMode.Standard => string.Create(CultureInfo.InvariantCulture, $"min: {min}, max: {max}, avg: {CFormat.Fixed(average, 2)} ({count} samples)"),
        OutputMode.Csv => string.Create(CultureInfo.InvariantCulture, $"{min},{max},{CFormat.Fixed(average, 2)},{count}\n"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{min} {max} {CFormat.Fixed(average, 2)} {count}\n"),
    };
}
