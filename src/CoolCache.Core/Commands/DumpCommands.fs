/// DUMP and RESTORE (cluster.c): a value as Redis's payload (RDB value, RDB version, CRC-64), so a
/// payload dumped by real Redis restores here and one dumped here restores in Redis 7.
module CoolCache.Core.Commands.DumpCommands

open CoolCache.Core
open CoolCache.Core.Keyspace
open CoolCache.Core.Protocol
open CoolCache.Core.Rdb
open CoolCache.Core.State
open CoolCache.Core.Values

/// The thresholds loaded collections are encoded by (the server's config).
let rdbLimits (w: World) : RdbReader.RdbLimits =
    {
        Hash = HashCommands.limits w
        MaxIntsetEntries = w.Config.SetMaxIntsetEntries
        SortedSet = SortedSetCommands.limits w
    }

// DUMP key
let dump: Handler =
    fun ctx s argv w ->
        match Db.tryGet ctx.NowMs argv[1] (World.db s.Db w) with
        | ValueSome v -> Outcome.reply (RespValue.Bulk(RdbWriter.dump v)) s w
        | ValueNone -> Outcome.reply RespValue.Null s w

type private RestoreOptions =
    {
        Replace: bool
        AbsTtl: bool
        Idle: int64
        Freq: int64
    }

/// The options after the payload, read in order; IDLETIME and FREQ exclude each other (a syntax error).
let private restoreOptions (argv: Bytes[]) : Result<RestoreOptions, RedisError> =
    let rec go (j: int) (o: RestoreOptions) =
        if j >= argv.Length then
            Ok o
        else
            let more = argv.Length - j - 1

            if Args.is "REPLACE" argv[j] then
                go (j + 1) { o with Replace = true }
            elif Args.is "ABSTTL" argv[j] then
                go (j + 1) { o with AbsTtl = true }
            elif Args.is "IDLETIME" argv[j] && more >= 1 && o.Freq = -1L then
                match Args.readInt64 argv[j + 1] with
                | Error e -> Error e
                | Ok n when n < 0L -> Error RedisError.InvalidIdleTime
                | Ok n -> go (j + 2) { o with Idle = n }
            elif Args.is "FREQ" argv[j] && more >= 1 && o.Idle = -1L then
                match Args.readInt64 argv[j + 1] with
                | Error e -> Error e
                | Ok n when n < 0L || n > 255L -> Error RedisError.InvalidFreq
                | Ok n -> go (j + 2) { o with Freq = n }
            else
                Error RedisError.Syntax

    go
        4
        {
            Replace = false
            AbsTtl = false
            Idle = -1L
            Freq = -1L
        }

/// objectSetLRUOrLFU: IDLETIME seconds ago as the last access (LRU policies), or FREQ as the counter
/// (LFU policies).
let private restoreAccess (now: int64) (o: RestoreOptions) (config: Config) (key: Bytes) (db: Db) =
    if Eviction.Policy.isLfuName config.MaxMemoryPolicy then
        if o.Freq >= 0L then
            Db.setAccess key (Access.pack now o.Freq) db
    elif o.Idle >= 0L then
        let at = if o.Idle > now / 1000L then 0L else now - o.Idle * 1000L
        Db.setAccess key (Access.pack at Access.InitFreq) db

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
// Checks in restoreCommand's order: options, existing key, TTL, payload version/checksum, payload data.
// IDLETIME sets the access stamp under an LRU policy, FREQ the counter under an LFU one; each is ignored
// under the other kind (object.c objectSetLRUOrLFU).
let restore: Handler =
    fun ctx s argv w ->
        let key = argv[1]
        let db = World.db s.Db w

        let checkedTtl (o: RestoreOptions) =
            if not o.Replace && Db.exists ctx.NowMs key db then
                Error RedisError.BusyKey
            else
                match Args.readInt64 argv[2] with
                | Error e -> Error e
                | Ok ttl when ttl < 0L -> Error RedisError.InvalidTtl
                | Ok ttl -> Ok ttl

        match
            restoreOptions argv
            |> Result.bind (fun o -> checkedTtl o |> Result.map (fun t -> o, t))
        with
        | Error e -> Outcome.error e s w
        | Ok(o, ttl) ->
            match RdbReader.restore (rdbLimits w) argv[3] with
            | Error RdbReader.BadVersionOrChecksum -> Outcome.error RedisError.DumpPayloadWrong s w
            | Error(RdbReader.BadFormat _) -> Outcome.error RedisError.BadDataFormat s w
            | Ok value ->
                let existed = Db.exists ctx.NowMs key db
                let cleared = if o.Replace then Db.remove key db else db
                let at = if ttl <> 0L && not o.AbsTtl then ttl + ctx.NowMs else ttl

                if at <> 0L && Db.expiresBy ctx.NowMs at db then
                    // already expired: nothing is stored (a replaced key is deleted)
                    if o.Replace && existed then
                        Outcome.ok s (World.withDb s.Db cleared w)
                        |> Outcome.notify ctx NotifyClass.Generic "del" key
                    else
                        Outcome.ok s w
                else
                    let ttl' = if at = 0L then Ttl.Clear else Ttl.At at

                    let stored = Db.set ctx.NowMs key value ttl' cleared
                    restoreAccess ctx.NowMs o w.Config key stored

                    // dbAdd tells "new" (the old value, if REPLACE found one, was deleted just before)
                    Outcome.ok s (World.withDb s.Db stored w)
                    |> Outcome.notifyNew ctx true key
                    |> Outcome.notify ctx NotifyClass.Generic "restore" key
