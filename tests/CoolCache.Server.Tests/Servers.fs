/// The two servers a differential run talks to: the oracle (a real redis-server) and CoolCache.
module CoolCache.Server.Tests.Servers

open System
open System.Threading.Tasks

/// A server under test, reachable on 127.0.0.1:Port.
type Target =
    {
        Name: string
        Port: int
        Stop: unit -> ValueTask
    }

    interface IAsyncDisposable with
        member this.DisposeAsync() = this.Stop()

/// COOLCACHE_DIFF_SELFTEST=1: compare redis against redis (validates the harness and its
/// normalisers: every sequence must agree).
let selfTest () =
    Environment.GetEnvironmentVariable "COOLCACHE_DIFF_SELFTEST" = "1"

/// A real redis-server child process (killed on Stop, and at process exit in any case).
let startRedis (name: string) : Task<Target> =
    task {
        let! server = RedisProcess.start ()

        return
            {
                Name = name
                Port = server.Port
                Stop =
                    fun () ->
                        server.Dispose()
                        ValueTask.CompletedTask
            }
    }

/// The oracle.
let startOracle () : Task<Target> = startRedis "redis"

/// The only place that knows how to start CoolCache.
let startCoolCache () : Task<Target> =
    if selfTest () then
        startRedis "redis (selftest)"
    else
        task {
            let! host =
                CoolCache.Server.ServerHost.StartAsync
                    [|
                        "--port"
                        "0"
                        "--bind"
                        "127.0.0.1"
                        "--save"
                        ""
                        "--dir"
                        TestDirs.fresh ()
                        "--loglevel"
                        "nothing"
                    |]

            return
                {
                    Name = "coolcache"
                    Port = host.Port
                    Stop = fun () -> host.DisposeAsync()
                }
        }
