using System.Net;
using System.Net.Sockets;
using CoolCache.Server.Engine;
using CoolCache.Server.Logging;
using CoolCache.Server.Sessions;

namespace CoolCache.Server.Networking;

/// <summary>The accept loops (one per bind address); a Connection per socket, maxclients enforced.</summary>
public sealed class Listener : IDisposable
{
    private readonly List<Socket> _sockets = new();
    private readonly CommandEngine _engine;
    private readonly ClientRegistry _clients;
    private readonly ServerLog _log;

    public Listener(string bind, int port, CommandEngine engine, ClientRegistry clients, ServerLog log)
    {
        _engine = engine;
        _clients = clients;
        _log = log;
        foreach (var spec in bind.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // "-addr" means optional in redis.conf: skip it if it cannot be bound.
            var optional = spec.StartsWith('-');
            var text = spec.TrimStart('-');
            var address = text == "*" ? IPAddress.Any : IPAddress.Parse(text);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(new IPEndPoint(address, port == 0 && _sockets.Count > 0 ? Port : port));
                socket.Listen(511);
                _sockets.Add(socket);
            }
            catch (SocketException) when (optional)
            {
                socket.Dispose();
            }
        }
        if (_sockets.Count == 0) throw new InvalidOperationException($"Could not bind any address of '{bind}'");
    }

    public int Port => ((IPEndPoint)_sockets[0].LocalEndPoint!).Port;

    public void Start()
    {
        foreach (var socket in _sockets) _ = AcceptLoopAsync(socket);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync();
            }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { return; }

            socket.NoDelay = true;
            if (_clients.Count >= _engine.Config.MaxClients)
            {
                _clients.Rejected();
                try { socket.Send("-ERR max number of clients reached\r\n"u8); } catch (SocketException) { }
                socket.Close();
                continue;
            }
            var connection = new Connection(_clients.NextId(), socket, _engine, _clients, _log);
            _clients.Add(connection);
            _ = Task.Run(connection.RunAsync);
        }
    }

    public void Dispose()
    {
        foreach (var socket in _sockets) socket.Close();
    }
}
