/// Server commands (server.c, config.c, debug.c): INFO CONFIG TIME DEBUG SHUTDOWN. INFO renders the
/// keyspace from the World and the rest from the host's figures, with Redis's field names.
module CoolCache.Core.Commands.ServerCommands

open System
open System.Text
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args

let private human (bytes: int64) =
    let b = float bytes

    if b < 1024.0 then
        sprintf "%dB" bytes
    elif b < 1024.0 ** 2.0 then
        sprintf "%.2fK" (b / 1024.0)
    elif b < 1024.0 ** 3.0 then
        sprintf "%.2fM" (b / 1024.0 ** 2.0)
    elif b < 1024.0 ** 4.0 then
        sprintf "%.2fG" (b / 1024.0 ** 3.0)
    else
        sprintf "%.2fT" (b / 1024.0 ** 4.0)

/// A fixed 40-hex run id per process start (derived from the pid and start so it is stable per run).
let private runId (h: HostStats) =
    let seed = uint64 h.Pid * 0x9E3779B97F4A7C15UL ^^^ uint64 (h.TcpPort + 1)
    let r = Random(int (seed % uint64 Int32.MaxValue))
    String.init 40 (fun _ -> (r.Next 16).ToString("x"))

/// INFO persistence's aof_* fields, in Redis 7.0's order (the size fields only while the AOF is on).
let private aofFields (a: AofInfo) =
    let i (n: int64) = string n
    let flag (b: bool) = if b then "1" else "0"

    [
        "aof_enabled", flag a.Enabled
        "aof_rewrite_in_progress", flag a.RewriteInProgress
        "aof_rewrite_scheduled", flag a.RewriteScheduled
        "aof_last_rewrite_time_sec", i a.LastRewriteSeconds
        "aof_current_rewrite_time_sec", i a.CurrentRewriteSeconds
        "aof_last_bgrewrite_status", (if a.LastRewriteOk then "ok" else "err")
        "aof_rewrites", i a.Rewrites
        "aof_rewrites_consecutive_failures", "0"
        "aof_last_write_status", (if a.LastWriteOk then "ok" else "err")
        "aof_last_cow_size", "0"
        "module_fork_in_progress", "0"
        "module_fork_last_cow_size", "0"
        if a.Enabled then
            "aof_current_size", i a.CurrentSize
            "aof_base_size", i a.BaseSize
            "aof_pending_rewrite", "0"
            "aof_buffer_length", i a.BufferLength
            "aof_pending_bio_fsync", "0"
            "aof_delayed_fsync", "0"
    ]

let private sections (ctx: Ctx) (w: World) (h: HostStats) : (string * (string * string) list) list =
    let i (n: int64) = string n

    let f (x: float) =
        x.ToString("F6", Globalization.CultureInfo.InvariantCulture)

    // used_memory is what maxmemory is compared with (Memory.fs); the .NET heap is allocator_allocated.
    let used = Eviction.usedMemory w.Dbs
    let peak = max used h.UsedMemoryPeak

    let percent (part: int64) (whole: int64) =
        (float part * 100.0 / float (max 1L whole)).ToString("F2", Globalization.CultureInfo.InvariantCulture)
        + "%"

    [
        "server",
        [
            "redis_version", ConnectionCommands.redisVersion
            "coolcache_version", "0.1.0"
            "redis_git_sha1", "00000000"
            "redis_git_dirty", "0"
            "redis_build_id", "0"
            "redis_mode", "standalone"
            "os", Runtime.InteropServices.RuntimeInformation.OSDescription
            "arch_bits", "64"
            "monotonic_clock", "POSIX clock_gettime"
            "multiplexing_api", "epoll"
            "process_id", string h.Pid
            "process_supervised", "no"
            "run_id", runId h
            "tcp_port", string h.TcpPort
            "server_time_usec", i ctx.NowUs
            "uptime_in_seconds", i h.UptimeSeconds
            "uptime_in_days", i (h.UptimeSeconds / 86400L)
            "hz", string w.Config.Hz
            "configured_hz", string w.Config.Hz
            "lru_clock", i ((ctx.NowMs / 1000L) &&& 0xFFFFFFL)
            "executable", h.ExecutablePath
            "config_file", h.ConfigFile
            "io_threads_active", "0"
        ]
        "clients",
        [
            "connected_clients", string h.ConnectedClients
            "cluster_connections", "0"
            "maxclients", string w.Config.MaxClients
            "client_recent_max_input_buffer", "0"
            "client_recent_max_output_buffer", "0"
            "blocked_clients", string h.BlockedClients
            "tracking_clients", "0"
            "clients_in_timeout_table", "0"
        ]
        "memory",
        [
            "used_memory", i used
            "used_memory_human", human used
            "used_memory_rss", i h.UsedMemoryRss
            "used_memory_rss_human", human h.UsedMemoryRss
            "used_memory_peak", i peak
            "used_memory_peak_human", human peak
            "used_memory_peak_perc", percent used peak
            "used_memory_overhead", i Memory.Startup
            "used_memory_startup", i Memory.Startup
            "used_memory_dataset", i (used - Memory.Startup)
            "used_memory_dataset_perc", percent (used - Memory.Startup) (max 1L (used - Memory.Startup))
            "allocator_allocated", i h.UsedMemory
            "total_system_memory", i h.TotalSystemMemory
            "total_system_memory_human", human h.TotalSystemMemory
            "maxmemory", i w.Config.MaxMemory
            "maxmemory_human", human w.Config.MaxMemory
            "maxmemory_policy", w.Config.MaxMemoryPolicy
            "mem_fragmentation_ratio",
            (if used > 0L then
                 (float h.UsedMemoryRss / float used).ToString("F2", Globalization.CultureInfo.InvariantCulture)
             else
                 "0.00")
            // no AOF buffer or replica output buffers yet: everything counts
            "mem_not_counted_for_evict", "0"
            "mem_allocator", ".NET GC"
        ]
        "persistence",
        [
            "loading", "0"
            "async_loading", "0"
            "rdb_changes_since_last_save", i w.Dirty
            "rdb_bgsave_in_progress", (if h.Persistence.BgSaveInProgress then "1" else "0")
            "rdb_last_save_time", i h.Persistence.LastSave
            "rdb_last_bgsave_status", (if h.Persistence.LastBgSaveOk then "ok" else "err")
            "rdb_last_bgsave_time_sec", i h.Persistence.LastBgSaveSeconds
            "rdb_current_bgsave_time_sec", i h.Persistence.CurrentBgSaveSeconds
            "rdb_saves", i h.Persistence.Saves
            yield! aofFields h.Persistence.Aof
        ]
        "stats",
        [
            "total_connections_received", i h.TotalConnections
            "total_commands_processed", i h.TotalCommands
            "instantaneous_ops_per_sec", i h.InstantaneousOps
            "total_net_input_bytes", i h.NetInputBytes
            "total_net_output_bytes", i h.NetOutputBytes
            "rejected_connections", i h.RejectedConnections
            "sync_full", i h.SyncFull
            "sync_partial_ok", i h.SyncPartialOk
            "sync_partial_err", i h.SyncPartialErr
            "expired_keys", i h.ExpiredKeys
            "evicted_keys", i h.EvictedKeys
            "keyspace_hits", i h.KeyspaceHits
            "keyspace_misses", i h.KeyspaceMisses
            "pubsub_channels", string w.PubSub.Channels.Count
            "pubsub_patterns", string w.PubSub.Patterns.Length
            "pubsubshard_channels", string w.PubSub.ShardChannels.Count
            "latest_fork_usec", "0"
            "total_forks", "0"
            "total_error_replies", i (h.CommandStats |> Array.sumBy (fun c -> c.FailedCalls + c.RejectedCalls))
        ]
        "replication",
        (if h.Replication.Length > 0 then
             [ for struct (k, v) in h.Replication -> k, v ]
         else
             [
                 "role", "master"
                 "connected_slaves", "0"
                 "master_failover_state", "no-failover"
                 "master_replid", runId h
                 "master_replid2", String('0', 40)
                 "master_repl_offset", "0"
                 "second_repl_offset", "-1"
                 "repl_backlog_active", "0"
                 "repl_backlog_size", "1048576"
                 "repl_backlog_first_byte_offset", "0"
                 "repl_backlog_histlen", "0"
             ])
        "cpu",
        [
            "used_cpu_sys", f h.CpuSys
            "used_cpu_user", f h.CpuUser
            "used_cpu_sys_children", f 0.0
            "used_cpu_user_children", f 0.0
            "used_cpu_sys_main_thread", f h.CpuSys
            "used_cpu_user_main_thread", f h.CpuUser
        ]
        "modules", []
        "errorstats", []
        "cluster", [ "cluster_enabled", "0" ]
        "keyspace",
        [
            for index in 0 .. w.Dbs.Length - 1 do
                let db = w.Dbs[index]

                if Db.count db > 0 then
                    let avgTtl =
                        if db.Expires.IsEmpty then
                            0L
                        else
                            (db.Expires.ToSeq() |> Seq.sumBy (fun struct (_, at) -> max 0L (at - ctx.NowMs)))
                            / int64 db.Expires.Count

                    yield
                        sprintf "db%d" index,
                        sprintf "keys=%d,expires=%d,avg_ttl=%d" (Db.count db) db.Expires.Count avgTtl
        ]
        "commandstats",
        [
            for c in h.CommandStats do
                if c.Calls > 0L || c.RejectedCalls > 0L || c.FailedCalls > 0L then
                    let perCall =
                        if c.Calls > 0L then
                            float c.Microseconds / float c.Calls
                        else
                            0.0

                    yield
                        "cmdstat_" + c.Command,
                        sprintf
                            "calls=%d,usec=%d,usec_per_call=%s,rejected_calls=%d,failed_calls=%d"
                            c.Calls
                            c.Microseconds
                            (perCall.ToString("F2", Globalization.CultureInfo.InvariantCulture))
                            c.RejectedCalls
                            c.FailedCalls
        ]
    ]

let private defaultSections =
    [
        "server"
        "clients"
        "memory"
        "persistence"
        "stats"
        "replication"
        "cpu"
        "modules"
        "errorstats"
        "cluster"
        "keyspace"
    ]

/// The INFO text for the requested section names (default, all, everything, or names).
let infoText (ctx: Ctx) (w: World) (requested: string list) =
    let all = sections ctx w (ctx.Host.Stats())

    let wanted =
        match requested with
        | [] -> defaultSections
        | names ->
            names
            |> List.collect (fun n ->
                match n with
                | "default" -> defaultSections
                | "all" -> List.map fst all |> List.filter (fun s -> s <> "modules")
                | "everything" -> List.map fst all
                | n -> [ n ])

    let sb = StringBuilder()

    for name, fields in all do
        if List.contains name wanted then
            if sb.Length > 0 then
                sb.Append("\r\n") |> ignore

            let title =
                if name = "cpu" then
                    "CPU"
                else
                    string (Char.ToUpperInvariant name[0]) + name.Substring 1

            sb.Append("# ").Append(title).Append("\r\n") |> ignore

            for k, v in fields do
                sb.Append(k).Append(':').Append(v).Append("\r\n") |> ignore

    sb.ToString()

// INFO [section [section ...]]
let info: Handler =
    fun ctx s argv w ->
        let names =
            argv[1..]
            |> Array.map (fun a -> (Bytes.toLatin1 a).ToLowerInvariant())
            |> List.ofArray

        Outcome.reply (RespValue.Verbatim("txt", Bytes.ofLatin1 (infoText ctx w names))) s w

// CONFIG GET parameter [parameter ...]
let configGet: Handler =
    fun _ s argv w ->
        let pairs =
            Config.settings
            |> List.filter (fun setting ->
                argv[2..]
                |> Array.exists (fun p -> Glob.isMatch p (Bytes.ofString setting.Name) true))
            |> List.map (fun setting ->
                struct (RespValue.ofString setting.Name, RespValue.ofString (setting.Get w.Config)))
            |> Array.ofList

        Outcome.reply (RespValue.Map pairs) s w

// CONFIG SET parameter value [parameter value ...]
let configSet: Handler =
    fun ctx s argv w ->
        if argv.Length % 2 = 1 then
            Outcome.error (RedisError.WrongArity "config|set") s w
        else
            let rec apply j (seen: string list) (c: Config) =
                if j >= argv.Length then
                    Ok c
                else
                    let name = (Bytes.toLatin1 argv[j]).ToLowerInvariant()
                    let value = Bytes.toLatin1 argv[j + 1]

                    match Config.tryFind name with
                    | None -> Error(RedisError.ConfigUnknownOption name)
                    | Some _ when List.contains name seen -> Error(RedisError.ConfigDuplicate name)
                    | Some setting when not setting.Mutable -> Error(RedisError.ConfigImmutable name)
                    | Some setting ->
                        match setting.Set value c with
                        | Ok c -> apply (j + 2) (name :: seen) c
                        | Error reason -> Error(RedisError.ConfigSetFailed(name, reason))

            match apply 2 [] w.Config with
            | Ok c ->
                { Outcome.ok s (World.withConfig ctx.NowMs c w) with
                    Effects = [ Effect.ConfigChanged ]
                }
            | Error e -> Outcome.error e s w

// CONFIG RESETSTAT
let configResetstat: Handler =
    fun _ s _ w ->
        { Outcome.ok s w with
            Effects = [ Effect.ResetStats ]
        }

// CONFIG HELP
let configHelp: Handler =
    fun _ s argv w ->
        let lines =
            [
                "GET <pattern>"
                "    Return parameters matching the glob-like <pattern> and their values."
                "SET <directive> <value>"
                "    Set the configuration <directive> to <value>."
                "RESETSTAT"
                "    Reset statistics reported by the INFO command."
                "REWRITE"
                "    Rewrite the configuration file."
            ]

        Outcome.reply (KeyCommands.helpReply argv[0] lines) s w

// TIME
let time: Handler =
    fun ctx s _ w ->
        let secs = ctx.NowUs / 1000000L
        let micros = ctx.NowUs % 1000000L

        Outcome.reply
            (RespValue.Array
                [|
                    RespValue.Bulk(Numbers.formatInt64 secs)
                    RespValue.Bulk(Numbers.formatInt64 micros)
                |])
            s
            w

// DEBUG SLEEP seconds | DEBUG HELP   (refused unless enable-debug-command allows it, as in Redis 7)
let debug: Handler =
    fun ctx s argv w ->
        let allowed =
            match w.Config.EnableDebugCommand with
            | "yes" -> true
            | "local" -> ctx.IsLocal
            | _ -> false

        if not allowed then
            Outcome.error RedisError.DebugNotAllowed s w
        elif argv.Length = 3 && is "SLEEP" argv[1] then
            let seconds =
                match
                    Double.TryParse(
                        Bytes.toLatin1 argv[2],
                        Globalization.NumberStyles.Float,
                        Globalization.CultureInfo.InvariantCulture
                    )
                with
                | true, d when d > 0.0 -> d
                | _ -> 0.0

            { Outcome.ok s w with
                Effects = [ Effect.Sleep(int64 (seconds * 1000.0)) ]
            }
        elif argv.Length = 2 && is "HELP" argv[1] then
            Outcome.reply
                (KeyCommands.helpReply
                    argv[0]
                    [ "SLEEP <seconds>"; "    Stop the server for <seconds>. Decimals allowed." ])
                s
                w
        else
            Outcome.error (RedisError.UnknownDebugSubcommand argv[1]) s w

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
let shutdown: Handler =
    fun _ s argv w ->
        let rec flags j (save, nosave, abort, other) =
            if j >= argv.Length then
                Ok(save, nosave, abort, other)
            elif is "SAVE" argv[j] then
                flags (j + 1) (true, nosave, abort, other)
            elif is "NOSAVE" argv[j] then
                flags (j + 1) (save, true, abort, other)
            elif is "NOW" argv[j] || is "FORCE" argv[j] then
                flags (j + 1) (save, nosave, abort, true)
            elif is "ABORT" argv[j] then
                flags (j + 1) (save, nosave, true, other)
            else
                Error RedisError.Syntax

        match flags 1 (false, false, false, false) with
        | Error e -> Outcome.error e s w
        | Ok(true, true, _, _) -> Outcome.error RedisError.Syntax s w
        | Ok(save, nosave, true, other) when save || nosave || other -> Outcome.error RedisError.Syntax s w
        | Ok(_, _, true, _) -> Outcome.error (RedisError.Custom "ERR No shutdown in progress.") s w
        | Ok(save, nosave, _, _) ->
            let mode =
                if save then ShutdownMode.Save
                elif nosave then ShutdownMode.NoSave
                else ShutdownMode.Default

            { Outcome.ok s w with
                Effects = [ Effect.Shutdown mode ]
                Silent = true
            }

// BGREWRITEAOF
let bgrewriteaof: Handler =
    fun _ s _ w ->
        { Outcome.ok s w with
            Effects = [ Effect.RewriteAof ]
            Silent = true
        }

// SAVE: the host writes the snapshot now, under the engine, and replies OK or ERR.
let save: Handler =
    fun _ s _ w ->
        { Outcome.ok s w with
            Effects = [ Effect.Save SaveKind.Foreground ]
            Silent = true
        }

// BGSAVE [SCHEDULE]
let bgsave: Handler =
    fun _ s argv w ->
        let kind =
            if argv.Length = 1 then
                Ok SaveKind.Background
            elif argv.Length = 2 && is "SCHEDULE" argv[1] then
                Ok SaveKind.Schedule
            else
                Error RedisError.Syntax

        match kind with
        | Error e -> Outcome.error e s w
        | Ok k ->
            { Outcome.ok s w with
                Effects = [ Effect.Save k ]
                Silent = true
            }

// LASTSAVE
let lastsave: Handler =
    fun ctx s _ w -> Outcome.reply (RespValue.Integer(ctx.Host.Stats().Persistence.LastSave)) s w
