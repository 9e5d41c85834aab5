/// Server settings as a value: one table of every setting we have (name, default, parser, runtime
/// mutability), used by the command line, the config file, CONFIG GET/SET and the host (config.c).
namespace CoolCache.Core.State

open System
open CoolCache.Core

/// One client class's client-output-buffer-limit (networking.c checkClientOutputBufferLimits): a client
/// with Hard bytes or more waiting to be sent, or Soft bytes or more for longer than SoftSeconds, is
/// disconnected. 0 turns a limit off.
type OutputLimit =
    {
        Hard: int64
        Soft: int64
        SoftSeconds: int64
    }

/// client-output-buffer-limit per client class (Redis's normal, slave and pubsub classes).
type OutputLimits =
    {
        Normal: OutputLimit
        Replica: OutputLimit
        PubSub: OutputLimit
    }

type Config =
    {
        Port: int
        Bind: string
        Databases: int
        RequirePass: string
        Dir: string
        DbFilename: string
        LogLevel: string
        LogFile: string
        MaxClients: int
        ClientQueryBufferLimit: int64
        ProtoMaxBulkLen: int64
        Timeout: int
        TcpKeepAlive: int
        Save: string
        AppendOnly: bool
        /// rdbcompression: LZF for strings over 20 bytes in RDB files.
        RdbCompression: bool
        /// rdbchecksum: write the CRC-64 (a zero checksum otherwise).
        RdbChecksum: bool
        AppendFsync: string
        /// appenddirname: the append-only directory under dir (Redis 7 multi-part AOF).
        AppendDirname: string
        /// appendfilename: the base name of the append-only files and manifest.
        AppendFilename: string
        /// aof-load-truncated: a torn last command is cut off with a warning instead of refusing to start.
        AofLoadTruncated: bool
        /// aof-use-rdb-preamble: a rewrite writes the base file in RDB format.
        AofUseRdbPreamble: bool
        /// auto-aof-rewrite-percentage: rewrite when the AOF grew this much over its size after the last rewrite (0: never).
        AutoAofRewritePercentage: int
        /// auto-aof-rewrite-min-size: ... and is at least this big.
        AutoAofRewriteMinSize: int64
        /// replicaof "host port" at start-up ("" for none).
        ReplicaOf: string
        /// masterauth / masteruser: how a replica authenticates to its primary.
        MasterAuth: string
        MasterUser: string
        /// repl-backlog-size: bytes of the replication stream kept for partial resynchronisation.
        ReplBacklogSize: int64
        /// repl-diskless-sync: the full sync's RDB goes to the replica EOF-marked, not as a sized file.
        ReplDisklessSync: bool
        ReplDisklessSyncDelay: int
        /// repl-ping-replica-period: seconds between the PINGs a primary sends its replicas.
        ReplPingReplicaPeriod: int
        /// repl-timeout: seconds without data before a replication link is dropped.
        ReplTimeout: int
        /// min-replicas-to-write / min-replicas-max-lag: refuse writes without that many replicas acked within the lag.
        MinReplicasToWrite: int
        MinReplicasMaxLag: int
        /// replica-read-only: a replica refuses writes from its ordinary clients.
        ReplicaReadOnly: bool
        MaxMemory: int64
        MaxMemoryPolicy: string
        /// Keys sampled per database when the eviction pool is refilled (maxmemory-samples).
        MaxMemorySamples: int
        /// How long one eviction run may go on, 0..100 (maxmemory-eviction-tenacity; Eviction.Settings.MaxKeys).
        MaxMemoryEvictionTenacity: int
        /// LFU counter growth: the higher, the more accesses each step needs (lfu-log-factor).
        LfuLogFactor: int
        /// Minutes per decrement of an idle key's LFU counter; 0 never decays (lfu-decay-time).
        LfuDecayTime: int
        Hz: int
        EnableDebugCommand: string
        Daemonize: bool
        PidFile: string
        ProtectedMode: bool
        /// A hash stays "listpack" while it has at most this many fields (hash-max-listpack-entries).
        HashMaxListpackEntries: int64
        /// ... and every field and value written to it had at most this many bytes (hash-max-listpack-value).
        HashMaxListpackValue: int64
        /// Sets stay "intset" up to this many integer members (set-max-intset-entries).
        SetMaxIntsetEntries: int64
        /// A sorted set stays "listpack" while it has at most this many members (zset-max-listpack-entries).
        SortedSetMaxListpackEntries: int64
        /// ... and every member added to it had at most this many bytes (zset-max-listpack-value).
        SortedSetMaxListpackValue: int64
        /// A stream node (listpack) takes entries while under this many bytes (stream-node-max-bytes; 0 = 1GB).
        StreamNodeMaxBytes: int64
        /// ... and this many entries, deleted ones included (stream-node-max-entries; 0 = no limit).
        StreamNodeMaxEntries: int64
        /// notify-keyspace-events as notify.c's flag bits (the values of Commands.NotifyClass).
        NotifyKeyspaceEvents: int
        OutputLimits: OutputLimits
    }

/// One setting: how to show it, how to set it from text, whether CONFIG SET may change it.
type Setting =
    {
        Name: string
        Get: Config -> string
        Set: string -> Config -> Result<Config, string>
        Mutable: bool
    }

module Config =
    let defaults =
        {
            Port = 6379
            Bind = "127.0.0.1"
            Databases = 16
            RequirePass = ""
            Dir = "."
            DbFilename = "dump.rdb"
            LogLevel = "notice"
            LogFile = ""
            MaxClients = 10000
            ClientQueryBufferLimit = 1024L * 1024L * 1024L
            ProtoMaxBulkLen = 512L * 1024L * 1024L
            Timeout = 0
            TcpKeepAlive = 300
            Save = "3600 1 300 100 60 10000"
            AppendOnly = false
            RdbCompression = true
            RdbChecksum = true
            AppendFsync = "everysec"
            AppendDirname = "appendonlydir"
            AppendFilename = "appendonly.aof"
            AofLoadTruncated = true
            AofUseRdbPreamble = true
            AutoAofRewritePercentage = 100
            AutoAofRewriteMinSize = 64L * 1024L * 1024L
            ReplicaOf = ""
            MasterAuth = ""
            MasterUser = ""
            ReplBacklogSize = 1024L * 1024L
            ReplDisklessSync = true
            ReplDisklessSyncDelay = 5
            ReplPingReplicaPeriod = 10
            ReplTimeout = 60
            MinReplicasToWrite = 0
            MinReplicasMaxLag = 10
            ReplicaReadOnly = true
            MaxMemory = 0L
            MaxMemoryPolicy = "noeviction"
            MaxMemorySamples = 5
            MaxMemoryEvictionTenacity = 10
            LfuLogFactor = 10
            LfuDecayTime = 1
            Hz = 10
            EnableDebugCommand = "no"
            Daemonize = false
            PidFile = ""
            ProtectedMode = true
            // Redis 7.0's built-in defaults (config.c), as redis-server reports them without a config file.
            HashMaxListpackEntries = 512L
            HashMaxListpackValue = 64L
            SetMaxIntsetEntries = 512L
            SortedSetMaxListpackEntries = 128L
            SortedSetMaxListpackValue = 64L
            StreamNodeMaxBytes = 4096L
            StreamNodeMaxEntries = 100L
            NotifyKeyspaceEvents = 0
            OutputLimits =
                {
                    Normal =
                        {
                            Hard = 0L
                            Soft = 0L
                            SoftSeconds = 0L
                        }
                    Replica =
                        {
                            Hard = 256L * 1024L * 1024L
                            Soft = 64L * 1024L * 1024L
                            SoftSeconds = 60L
                        }
                    PubSub =
                        {
                            Hard = 32L * 1024L * 1024L
                            Soft = 8L * 1024L * 1024L
                            SoftSeconds = 60L
                        }
                }
        }

    /// Redis memtoull: "1gb" = 1024^3, "1g" = 1000^3, "1kb" = 1024, "1k" = 1000, plain bytes.
    let parseMemory (s: string) : int64 voption =
        let s = s.ToLowerInvariant()

        let units =
            [
                "gb", 1024L * 1024L * 1024L
                "mb", 1024L * 1024L
                "kb", 1024L
                "g", 1000L * 1000L * 1000L
                "m", 1000L * 1000L
                "k", 1000L
                "b", 1L
            ]

        let mult, digits =
            units
            |> List.tryFind (fun (u, _) -> s.EndsWith u && s.Length > u.Length)
            |> Option.map (fun (u, m) -> m, s.Substring(0, s.Length - u.Length))
            |> Option.defaultValue (1L, s)

        match Numbers.tryParseInt64 (Bytes.ofString digits) with
        | ValueSome n when n >= 0L && n <= Int64.MaxValue / mult -> ValueSome(n * mult)
        | _ -> ValueNone

    let private intSetting name lo hi mut (get: Config -> int) (set: int -> Config -> Config) =
        {
            Name = name
            Get = fun c -> string (get c)
            Mutable = mut
            Set =
                fun s c ->
                    match Numbers.tryParseInt64 (Bytes.ofString s) with
                    | ValueNone -> Error "argument couldn't be parsed into an integer"
                    | ValueSome n when n < int64 lo || n > int64 hi ->
                        Error(sprintf "argument must be between %d and %d inclusive" lo hi)
                    | ValueSome n -> Ok(set (int n) c)
        }

    let private int64Setting name lo hi mut (get: Config -> int64) (set: int64 -> Config -> Config) =
        {
            Name = name
            Get = fun c -> string (get c)
            Mutable = mut
            Set =
                fun s c ->
                    match Numbers.tryParseInt64 (Bytes.ofString s) with
                    | ValueNone -> Error "argument couldn't be parsed into an integer"
                    | ValueSome n when n < lo || n > hi ->
                        Error(sprintf "argument must be between %d and %d inclusive" lo hi)
                    | ValueSome n -> Ok(set n c)
        }

    let private memSetting name mut (get: Config -> int64) (set: int64 -> Config -> Config) =
        {
            Name = name
            Get = fun c -> string (get c)
            Mutable = mut
            Set =
                fun s c ->
                    match parseMemory s with
                    | ValueSome n -> Ok(set n c)
                    | ValueNone -> Error "argument must be a memory value"
        }

    /// A size_t INTEGER_CONFIG of Redis (0..LONG_MAX).
    let private sizeSetting name mut (get: Config -> int64) (set: int64 -> Config -> Config) =
        {
            Name = name
            Get = fun c -> string (get c)
            Mutable = mut
            Set =
                fun s c ->
                    match Numbers.tryParseInt64 (Bytes.ofString s) with
                    | ValueNone -> Error "argument couldn't be parsed into an integer"
                    | ValueSome n when n < 0L ->
                        Error(sprintf "argument must be between 0 and %d inclusive" Int64.MaxValue)
                    | ValueSome n -> Ok(set n c)
        }

    /// The same setting under its old name (hash-max-ziplist-entries for hash-max-listpack-entries...).
    let private alias (name: string) (s: Setting) = { s with Name = name }

    let private boolSetting name mut (get: Config -> bool) (set: bool -> Config -> Config) =
        {
            Name = name
            Get = fun c -> if get c then "yes" else "no"
            Mutable = mut
            Set =
                fun s c ->
                    match s.ToLowerInvariant() with
                    | "yes" -> Ok(set true c)
                    | "no" -> Ok(set false c)
                    | _ -> Error "argument must be 'yes' or 'no'"
        }

    let private enumSetting name mut (choices: string list) (get: Config -> string) (set: string -> Config -> Config) =
        {
            Name = name
            Get = get
            Mutable = mut
            Set =
                fun s c ->
                    let v = s.ToLowerInvariant()

                    if List.contains v choices then
                        Ok(set v c)
                    else
                        Error(sprintf "argument(s) must be one of the following: %s" (String.Join(", ", choices)))
        }

    let private stringSetting name mut (get: Config -> string) (set: string -> Config -> Config) =
        {
            Name = name
            Get = get
            Mutable = mut
            Set = fun s c -> Ok(set s c)
        }

    /// replicaof / slaveof: "host port" (the config file and --replicaof forms), or "" / "no one" for none.
    /// Not settable by CONFIG SET (REPLICAOF does that), as in Redis.
    let private replicaOfSetting name =
        {
            Name = name
            Get = fun c -> c.ReplicaOf
            Mutable = false
            Set =
                fun s c ->
                    let words = s.Split(' ', StringSplitOptions.RemoveEmptyEntries)

                    match words with
                    | [||] -> Ok { c with ReplicaOf = "" }
                    | [| a; b |] when a.ToLowerInvariant() = "no" && b.ToLowerInvariant() = "one" ->
                        Ok { c with ReplicaOf = "" }
                    | [| host; port |] ->
                        match Int32.TryParse port with
                        | true, p when p > 0 && p < 65536 -> Ok { c with ReplicaOf = host + " " + port }
                        | _ -> Error "Invalid master port"
                    | _ -> Error "wrong number of arguments"
        }

    let private hashSettings =
        let entries =
            sizeSetting "hash-max-listpack-entries" true (fun c -> c.HashMaxListpackEntries) (fun v c ->
                { c with HashMaxListpackEntries = v })

        let value =
            memSetting "hash-max-listpack-value" true (fun c -> c.HashMaxListpackValue) (fun v c ->
                { c with HashMaxListpackValue = v })

        [
            entries
            value
            alias "hash-max-ziplist-entries" entries
            alias "hash-max-ziplist-value" value
        ]

    let private sortedSetSettings =
        let entries =
            sizeSetting "zset-max-listpack-entries" true (fun c -> c.SortedSetMaxListpackEntries) (fun v c ->
                { c with
                    SortedSetMaxListpackEntries = v
                })

        let value =
            memSetting "zset-max-listpack-value" true (fun c -> c.SortedSetMaxListpackValue) (fun v c ->
                { c with SortedSetMaxListpackValue = v })

        [
            entries
            value
            alias "zset-max-ziplist-entries" entries
            alias "zset-max-ziplist-value" value
        ]

    /// notify-keyspace-events (notify.c keyspaceEventsStringToFlags / keyspaceEventsFlagsToString): one
    /// letter per class, A for all of g$lshzxetd; K and E say where events are published, m is key misses.
    module NotifyFlags =
        [<Literal>]
        let Keyspace = 1

        [<Literal>]
        let Keyevent = 2

        [<Literal>]
        let KeyMiss = 2048

        /// The class letters in the order Redis prints them, with notify.c's NOTIFY_* bits.
        let private classes =
            [
                'g', 4
                '$', 8
                'l', 16
                's', 32
                'h', 64
                'z', 128
                'x', 256
                'e', 512
                't', 1024
                'd', 8192
                'n', 16384
            ]

        /// NOTIFY_ALL, the A letter: every class but key misses and new keys.
        let All = 4 ||| 8 ||| 16 ||| 32 ||| 64 ||| 128 ||| 256 ||| 512 ||| 1024 ||| 8192

        /// The flags of a class string, or None for a letter that is not a class.
        let parse (text: string) : int voption =
            let mutable flags = 0
            let mutable ok = true

            for c in text do
                match c with
                | 'A' -> flags <- flags ||| All
                | 'K' -> flags <- flags ||| Keyspace
                | 'E' -> flags <- flags ||| Keyevent
                | 'm' -> flags <- flags ||| KeyMiss
                | c ->
                    match classes |> List.tryFind (fun (l, _) -> l = c) with
                    | Some(_, bit) -> flags <- flags ||| bit
                    | None -> ok <- false

            if ok then ValueSome flags else ValueNone

        /// Redis's canonical spelling: A (or the class letters), then K, E and m.
        let format (flags: int) =
            let sb = Text.StringBuilder()

            if flags &&& All = All then
                sb.Append 'A' |> ignore
            else
                for letter, bit in classes do
                    if flags &&& bit <> 0 then
                        sb.Append letter |> ignore

            if flags &&& Keyspace <> 0 then
                sb.Append 'K' |> ignore

            if flags &&& Keyevent <> 0 then
                sb.Append 'E' |> ignore

            if flags &&& KeyMiss <> 0 then
                sb.Append 'm' |> ignore

            sb.ToString()

    let private notifySetting =
        {
            Name = "notify-keyspace-events"
            Get = fun c -> NotifyFlags.format c.NotifyKeyspaceEvents
            Mutable = true
            Set =
                fun s c ->
                    match NotifyFlags.parse s with
                    | ValueSome flags -> Ok { c with NotifyKeyspaceEvents = flags }
                    | ValueNone -> Error "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
        }

    /// client-output-buffer-limit <class> <hard> <soft> <soft seconds> [...] (config.c
    /// setConfigClientOutputBufferLimitOption): every group is checked before any applies; classes not
    /// named keep their limits. Words are split on single spaces, as CONFIG SET splits them.
    let private outputLimitSetting =
        let seconds (text: string) =
            // strtoll with the whole word consumed: an optional sign, digits; an empty word reads 0.
            if text = "" then
                ValueSome 0L
            else
                match
                    Int64.TryParse(
                        text,
                        Globalization.NumberStyles.AllowLeadingSign,
                        Globalization.CultureInfo.InvariantCulture
                    )
                with
                | true, n when n >= 0L -> ValueSome n
                | _ -> ValueNone

        let rec apply (words: string list) (limits: OutputLimits) =
            match words with
            | [] -> Ok limits
            | cls :: hard :: soft :: secs :: rest ->
                match parseMemory hard, parseMemory soft, seconds secs with
                | ValueSome hard, ValueSome soft, ValueSome secs ->
                    let limit =
                        {
                            Hard = hard
                            Soft = soft
                            SoftSeconds = secs
                        }

                    match cls.ToLowerInvariant() with
                    | "normal" -> apply rest { limits with Normal = limit }
                    | "slave"
                    | "replica" -> apply rest { limits with Replica = limit }
                    | "pubsub" -> apply rest { limits with PubSub = limit }
                    | _ -> Error "Invalid client class specified in buffer limit configuration."
                | _ ->
                    match cls.ToLowerInvariant() with
                    | "normal"
                    | "slave"
                    | "replica"
                    | "pubsub" -> Error "Error in hard, soft or soft_seconds setting in buffer limit configuration."
                    | _ -> Error "Invalid client class specified in buffer limit configuration."
            | _ -> Error "Wrong number of arguments in buffer limit configuration."

        let show (name: string) (l: OutputLimit) =
            sprintf "%s %d %d %d" name l.Hard l.Soft l.SoftSeconds

        {
            Name = "client-output-buffer-limit"
            Get =
                fun c ->
                    let l = c.OutputLimits
                    String.Join(" ", show "normal" l.Normal, show "slave" l.Replica, show "pubsub" l.PubSub)
            Mutable = true
            Set =
                fun s c ->
                    let words = if s = "" then [] else List.ofArray (s.Split ' ')

                    if words.Length % 4 <> 0 then
                        Error "Wrong number of arguments in buffer limit configuration."
                    else
                        apply words c.OutputLimits |> Result.map (fun l -> { c with OutputLimits = l })
        }

    /// Every setting, in Redis's names. CONFIG GET patterns match these names.
    let settings: Setting list =
        [
            intSetting "port" 0 65535 false (fun c -> c.Port) (fun v c -> { c with Port = v })
            stringSetting "bind" false (fun c -> c.Bind) (fun v c -> { c with Bind = v })
            intSetting "databases" 1 Int32.MaxValue false (fun c -> c.Databases) (fun v c -> { c with Databases = v })
            stringSetting "requirepass" true (fun c -> c.RequirePass) (fun v c -> { c with RequirePass = v })
            stringSetting "dir" true (fun c -> c.Dir) (fun v c -> { c with Dir = v })
            stringSetting "dbfilename" true (fun c -> c.DbFilename) (fun v c -> { c with DbFilename = v })
            enumSetting
                "loglevel"
                true
                [ "debug"; "verbose"; "notice"; "warning"; "nothing" ]
                (fun c -> c.LogLevel)
                (fun v c -> { c with LogLevel = v })
            stringSetting "logfile" false (fun c -> c.LogFile) (fun v c -> { c with LogFile = v })
            intSetting "maxclients" 1 Int32.MaxValue true (fun c -> c.MaxClients) (fun v c -> { c with MaxClients = v })
            memSetting "client-query-buffer-limit" true (fun c -> c.ClientQueryBufferLimit) (fun v c ->
                { c with ClientQueryBufferLimit = v })
            memSetting "proto-max-bulk-len" true (fun c -> c.ProtoMaxBulkLen) (fun v c ->
                { c with ProtoMaxBulkLen = v })
            intSetting "timeout" 0 Int32.MaxValue true (fun c -> c.Timeout) (fun v c -> { c with Timeout = v })
            intSetting "tcp-keepalive" 0 Int32.MaxValue true (fun c -> c.TcpKeepAlive) (fun v c ->
                { c with TcpKeepAlive = v })
            stringSetting "save" true (fun c -> c.Save) (fun v c -> { c with Save = v })
            boolSetting "appendonly" true (fun c -> c.AppendOnly) (fun v c -> { c with AppendOnly = v })
            boolSetting "rdbcompression" true (fun c -> c.RdbCompression) (fun v c -> { c with RdbCompression = v })
            boolSetting "rdbchecksum" true (fun c -> c.RdbChecksum) (fun v c -> { c with RdbChecksum = v })
            enumSetting "appendfsync" true [ "always"; "everysec"; "no" ] (fun c -> c.AppendFsync) (fun v c ->
                { c with AppendFsync = v })
            stringSetting "appenddirname" false (fun c -> c.AppendDirname) (fun v c -> { c with AppendDirname = v })
            stringSetting "appendfilename" false (fun c -> c.AppendFilename) (fun v c -> { c with AppendFilename = v })
            boolSetting "aof-load-truncated" true (fun c -> c.AofLoadTruncated) (fun v c ->
                { c with AofLoadTruncated = v })
            boolSetting "aof-use-rdb-preamble" true (fun c -> c.AofUseRdbPreamble) (fun v c ->
                { c with AofUseRdbPreamble = v })
            intSetting
                "auto-aof-rewrite-percentage"
                0
                Int32.MaxValue
                true
                (fun c -> c.AutoAofRewritePercentage)
                (fun v c -> { c with AutoAofRewritePercentage = v })
            memSetting "auto-aof-rewrite-min-size" true (fun c -> c.AutoAofRewriteMinSize) (fun v c ->
                { c with AutoAofRewriteMinSize = v })
            replicaOfSetting "replicaof"
            replicaOfSetting "slaveof"
            stringSetting "masterauth" true (fun c -> c.MasterAuth) (fun v c -> { c with MasterAuth = v })
            stringSetting "masteruser" true (fun c -> c.MasterUser) (fun v c -> { c with MasterUser = v })
            memSetting "repl-backlog-size" true (fun c -> c.ReplBacklogSize) (fun v c -> { c with ReplBacklogSize = v })
            boolSetting "repl-diskless-sync" true (fun c -> c.ReplDisklessSync) (fun v c ->
                { c with ReplDisklessSync = v })
            intSetting "repl-diskless-sync-delay" 0 Int32.MaxValue true (fun c -> c.ReplDisklessSyncDelay) (fun v c ->
                { c with ReplDisklessSyncDelay = v })
            intSetting "repl-ping-replica-period" 1 Int32.MaxValue true (fun c -> c.ReplPingReplicaPeriod) (fun v c ->
                { c with ReplPingReplicaPeriod = v })
            intSetting "repl-timeout" 1 Int32.MaxValue true (fun c -> c.ReplTimeout) (fun v c ->
                { c with ReplTimeout = v })
            intSetting "min-replicas-to-write" 0 Int32.MaxValue true (fun c -> c.MinReplicasToWrite) (fun v c ->
                { c with MinReplicasToWrite = v })
            intSetting "min-replicas-max-lag" 0 Int32.MaxValue true (fun c -> c.MinReplicasMaxLag) (fun v c ->
                { c with MinReplicasMaxLag = v })
            boolSetting "replica-read-only" true (fun c -> c.ReplicaReadOnly) (fun v c ->
                { c with ReplicaReadOnly = v })
            boolSetting "slave-read-only" true (fun c -> c.ReplicaReadOnly) (fun v c -> { c with ReplicaReadOnly = v })
            memSetting "maxmemory" true (fun c -> c.MaxMemory) (fun v c -> { c with MaxMemory = v })
            enumSetting
                "maxmemory-policy"
                true
                [
                    "volatile-lru"
                    "volatile-lfu"
                    "volatile-random"
                    "volatile-ttl"
                    "allkeys-lru"
                    "allkeys-lfu"
                    "allkeys-random"
                    "noeviction"
                ]
                (fun c -> c.MaxMemoryPolicy)
                (fun v c -> { c with MaxMemoryPolicy = v })
            intSetting "maxmemory-samples" 1 Int32.MaxValue true (fun c -> c.MaxMemorySamples) (fun v c ->
                { c with MaxMemorySamples = v })
            intSetting "maxmemory-eviction-tenacity" 0 100 true (fun c -> c.MaxMemoryEvictionTenacity) (fun v c ->
                { c with MaxMemoryEvictionTenacity = v })
            intSetting "lfu-log-factor" 0 Int32.MaxValue true (fun c -> c.LfuLogFactor) (fun v c ->
                { c with LfuLogFactor = v })
            intSetting "lfu-decay-time" 0 Int32.MaxValue true (fun c -> c.LfuDecayTime) (fun v c ->
                { c with LfuDecayTime = v })
            intSetting "hz" 1 500 true (fun c -> c.Hz) (fun v c -> { c with Hz = v })
            enumSetting
                "enable-debug-command"
                false
                [ "no"; "yes"; "local" ]
                (fun c -> c.EnableDebugCommand)
                (fun v c -> { c with EnableDebugCommand = v })
            boolSetting "daemonize" false (fun c -> c.Daemonize) (fun v c -> { c with Daemonize = v })
            stringSetting "pidfile" false (fun c -> c.PidFile) (fun v c -> { c with PidFile = v })
            boolSetting "protected-mode" true (fun c -> c.ProtectedMode) (fun v c -> { c with ProtectedMode = v })
            yield! hashSettings
            int64Setting "set-max-intset-entries" 0L Int64.MaxValue true (fun c -> c.SetMaxIntsetEntries) (fun v c ->
                { c with SetMaxIntsetEntries = v })
            yield! sortedSetSettings
            memSetting "stream-node-max-bytes" true (fun c -> c.StreamNodeMaxBytes) (fun v c ->
                { c with StreamNodeMaxBytes = v })
            int64Setting "stream-node-max-entries" 0L Int64.MaxValue true (fun c -> c.StreamNodeMaxEntries) (fun v c ->
                { c with StreamNodeMaxEntries = v })
            notifySetting
            outputLimitSetting
        ]

    let private byName = settings |> List.map (fun s -> s.Name, s) |> dict

    /// The setting of a name (case-insensitive).
    let tryFind (name: string) : Setting option =
        match byName.TryGetValue(name.ToLowerInvariant()) with
        | true, s -> Some s
        | _ -> None

    /// Apply name = value at start-up (command line or file): mutability is not checked.
    let applyStartup (name: string) (value: string) (c: Config) : Result<Config, string> =
        match tryFind name with
        | None -> Error(sprintf "Bad directive or wrong number of arguments: '%s'" name)
        | Some s -> s.Set value c |> Result.mapError (fun e -> sprintf "'%s %s': %s" name value e)
