using System.Runtime.InteropServices;
using CoolCache.Server;
using CoolCache.Server.Cli;

// Run socket completions on the epoll thread instead of hopping to the thread pool for every
// request (read before the first socket is created). Measured: P=1 SET 38k -> 63k rps.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

if (args.Length > 0 && args[0] is "--help" or "-h" or "-?")
{
    return await ServerCommandLine.Build(out _, out _).Parse(args).InvokeAsync();
}
if (args.Length > 0 && args[0] is "--version" or "-v")
{
    Console.WriteLine($"CoolCache server v={ServerHost.Version}");
    return 0;
}
if (!ServerCommandLine.TryParse(args, out var options, out var error))
{
    Console.Error.WriteLine(error);
    return 1;
}

ServerHost host;
try
{
    host = ServerHost.Start(options!);
}
catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException or InvalidDataException or IOException)
{
    Console.Error.WriteLine($"Could not start: {ex.Message}");
    return 1;
}

using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; host.Terminate("Received SIGTERM scheduling shutdown..."); });
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; host.Terminate("Received SIGINT scheduling shutdown..."); });
await host.Completion;
return 0;
