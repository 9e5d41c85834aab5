/// Consumer-group commands (t_stream.c): XGROUP (CREATE SETID DESTROY CREATECONSUMER DELCONSUMER HELP),
/// XACK, XPENDING, XCLAIM, XAUTOCLAIM. Replies,
/// errors, the order of the checks, and which consumers a command creates (with their
/// "xgroup-createconsumer" event) follow Redis 7.0.
module CoolCache.Core.Commands.StreamGroupCommands

open System
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Collections
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args
open CoolCache.Core.Commands.StreamCommands

/// The stream and group a command works on, or Redis's NOGROUP error when either is missing.
let private streamAndGroup (now: int64) (argv: Bytes[]) (db: Db) =
    match getStream now argv[1] db with
    | Error e -> Error e
    | Ok(ValueSome st) ->
        match StreamGroups.tryGroup argv[2] st with
        | ValueSome g -> Ok(struct (st, g))
        | ValueNone -> Error(RedisError.NoKeyOrGroup(argv[1], argv[2]))
    | Ok ValueNone -> Error(RedisError.NoKeyOrGroup(argv[1], argv[2]))

/// "keymiss" after a NOGROUP error for an absent key (the read lookup found nothing).
let private keymissOnNoGroup (ctx: Ctx) (e: RedisError) (key: Bytes) (db: Db) (o: Outcome) =
    match e with
    | RedisError.NoKeyOrGroup _ -> keymissWhen ctx (Db.tryGet ctx.NowMs key db).IsNone key o
    | _ -> o

// ---- XGROUP ---------------------------------------------------------------------------------------

/// The checks every XGROUP subcommand with a key makes first (xgroupCommand): the key must hold a
/// stream (unless CREATE has MKSTREAM), and SETID, CREATECONSUMER and DELCONSUMER need the group.
let private groupTarget (now: int64) (argv: Bytes[]) (mkstream: bool) (needsGroup: bool) (db: Db) =
    match getStream now argv[2] db with
    | Error e -> Error e
    | Ok ValueNone when not mkstream -> Error RedisError.XgroupNeedsKey
    | Ok ValueNone -> Ok(struct (ValueNone, ValueNone))
    | Ok(ValueSome st) ->
        match StreamGroups.tryGroup argv[3] st with
        | ValueNone when needsGroup -> Error(RedisError.NoSuchGroup(argv[3], argv[2]))
        | g -> Ok(struct (ValueSome st, g))

let private readEntriesRead (b: Bytes) =
    match readInt64 b with
    | Error e -> Error e
    | Ok n when n < 0L && n <> RedisStream.InvalidEntriesRead -> Error RedisError.EntriesReadNegative
    | Ok n -> Ok n

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]: the options are read first, the
// ID only once the key and the argument count are known to be right.
let xgroupCreate: Handler =
    fun ctx s argv w ->
        let syntax = RedisError.SubcommandSyntax(argv[1], "XGROUP")

        let rec options j mk read =
            if j >= argv.Length then
                Ok(struct (mk, read))
            elif is "MKSTREAM" argv[j] then
                options (j + 1) true read
            elif is "ENTRIESREAD" argv[j] && j + 1 < argv.Length then
                match readEntriesRead argv[j + 1] with
                | Ok n -> options (j + 2) mk n
                | Error e -> Error e
            else
                Error syntax

        let db = World.db s.Db w

        let checkedArgs =
            options 5 false RedisStream.InvalidEntriesRead
            |> Result.bind (fun (struct (mk, read)) ->
                groupTarget ctx.NowMs argv mk false db
                |> Result.bind (fun (struct (st, _)) ->
                    if argv.Length > 8 then
                        Error syntax
                    else
                        let id =
                            if cstrIs "$" argv[4] then
                                Ok(
                                    match st with
                                    | ValueSome st -> st.LastId
                                    | ValueNone -> StreamId.zero
                                )
                            else
                                readStrictId 0UL argv[4]

                        id |> Result.map (fun id -> struct (st, id, read))))

        match checkedArgs with
        | Error e -> Outcome.error e s w
        | Ok(struct (found, id, read)) ->
            let st =
                match found with
                | ValueSome st -> st
                | ValueNone -> RedisStream.empty

            match StreamGroups.tryCreateGroup argv[3] id read st with
            | ValueNone -> Outcome.error RedisError.BusyGroup s w
            | ValueSome st ->
                let db = storeStream ctx.NowMs argv[2] st db

                Outcome.ok s (World.withDb s.Db db w)
                |> notifyWhen ctx found.IsNone NotifyClass.New "new" argv[2]
                |> Outcome.notify ctx NotifyClass.Stream "xgroup-create" argv[2]

// XGROUP SETID key group id|$ [ENTRIESREAD entries-read]: "-" and "+" are IDs here.
let xgroupSetid: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        let syntax = RedisError.SubcommandSyntax(argv[1], "XGROUP")

        // The argument count and ENTRIESREAD are checked before the key, the ID after it.
        let read =
            if argv.Length = 7 then
                if is "ENTRIESREAD" argv[5] then
                    readEntriesRead argv[6]
                else
                    Error syntax
            elif argv.Length = 5 then
                Ok RedisStream.InvalidEntriesRead
            else
                Error syntax

        let checkedArgs =
            read
            |> Result.bind (fun read ->
                groupTarget ctx.NowMs argv false true db
                |> Result.bind (fun (struct (st, g)) ->
                    let st = st.Value

                    if cstrIs "$" argv[4] then
                        Ok st.LastId
                    else
                        readId 0UL argv[4]
                    |> Result.map (fun id -> struct (st, g.Value, id, read))))

        match checkedArgs with
        | Error e -> Outcome.error e s w
        | Ok(struct (st, g, id, read)) ->
            let st =
                StreamGroups.withGroup
                    { g with
                        LastId = id
                        EntriesRead = read
                    }
                    st

            Outcome.ok s (World.withDb s.Db (storeStream ctx.NowMs argv[2] st db) w)
            |> Outcome.notify ctx NotifyClass.Stream "xgroup-setid" argv[2]

// XGROUP DESTROY key group
let xgroupDestroy: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match groupTarget ctx.NowMs argv false false db with
        | Error e -> Outcome.error e s w
        | Ok(struct (ValueSome st, ValueSome _)) ->
            let st = StreamGroups.removeGroup argv[3] st

            Outcome.reply (RespValue.Integer 1L) s (World.withDb s.Db (storeStream ctx.NowMs argv[2] st db) w)
            |> Outcome.notify ctx NotifyClass.Stream "xgroup-destroy" argv[2]
        | Ok _ -> Outcome.reply (RespValue.Integer 0L) s w

// XGROUP CREATECONSUMER key group consumer
let xgroupCreateconsumer: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match groupTarget ctx.NowMs argv false true db with
        | Error e -> Outcome.error e s w
        | Ok(struct (st, g)) ->
            match StreamGroups.tryCreateConsumer argv[4] ctx.NowMs g.Value with
            | ValueNone -> Outcome.reply (RespValue.Integer 0L) s w
            | ValueSome g ->
                let st = StreamGroups.withGroup g st.Value

                Outcome.reply (RespValue.Integer 1L) s (World.withDb s.Db (storeStream ctx.NowMs argv[2] st db) w)
                |> Outcome.notify ctx NotifyClass.Stream "xgroup-createconsumer" argv[2]

// XGROUP DELCONSUMER key group consumer: the number of entries the consumer had pending (they leave
// the group's PEL too).
let xgroupDelconsumer: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match groupTarget ctx.NowMs argv false true db with
        | Error e -> Outcome.error e s w
        | Ok(struct (st, g)) ->
            match StreamGroups.tryDeleteConsumer argv[4] g.Value with
            | ValueNone -> Outcome.reply (RespValue.Integer 0L) s w
            | ValueSome(struct (g, pending)) ->
                let st = StreamGroups.withGroup g st.Value

                Outcome.reply
                    (RespValue.Integer(int64 pending))
                    s
                    (World.withDb s.Db (storeStream ctx.NowMs argv[2] st db) w)
                |> Outcome.notify ctx NotifyClass.Stream "xgroup-delconsumer" argv[2]

// XGROUP HELP
let xgroupHelp: Handler =
    fun _ s argv w ->
        let lines =
            [
                "CREATE <key> <groupname> <id|$> [option]"
                "    Create a new consumer group. Options are:"
                "    * MKSTREAM"
                "      Create the empty stream if it does not exist."
                "    * ENTRIESREAD entries_read"
                "      Set the group's entries_read counter (internal use)."
                "CREATECONSUMER <key> <groupname> <consumer>"
                "    Create a new consumer in the specified group."
                "DELCONSUMER <key> <groupname> <consumer>"
                "    Remove the specified consumer."
                "DESTROY <key> <groupname>"
                "    Remove the specified group."
                "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]"
                "    Set the current group ID and entries_read counter."
            ]

        Outcome.reply (KeyCommands.helpReply argv[0] lines) s w

// ---- XACK, XPENDING -------------------------------------------------------------------------------

// XACK key group id [id ...]: a missing key or group acknowledges nothing (before the IDs are read).
let xack: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match getStream ctx.NowMs argv[1] db with
        | Error e -> Outcome.error e s w
        | Ok ValueNone -> Outcome.reply (RespValue.Integer 0L) s w |> keymissWhen ctx true argv[1]
        | Ok(ValueSome st) ->
            match StreamGroups.tryGroup argv[2] st with
            | ValueNone -> Outcome.reply (RespValue.Integer 0L) s w
            | ValueSome g ->
                let ids = Array.zeroCreate (argv.Length - 3)
                let mutable error = ValueNone

                for j in 3 .. argv.Length - 1 do
                    if error.IsNone then
                        match readStrictId 0UL argv[j] with
                        | Ok id -> ids[j - 3] <- id
                        | Error e -> error <- ValueSome e

                match error with
                | ValueSome e -> Outcome.error e s w
                | ValueNone ->
                    let mutable g = g
                    let mutable acked = 0L

                    for id in ids do
                        match StreamGroups.tryPending id g with
                        | ValueSome p ->
                            g <- StreamGroups.removePending p g
                            acked <- acked + 1L
                        | ValueNone -> ()

                    if acked = 0L then
                        Outcome.reply (RespValue.Integer 0L) s w
                    else
                        let st = StreamGroups.withGroup g st

                        Outcome.reply
                            (RespValue.Integer acked)
                            s
                            (World.withDb s.Db (storeStream ctx.NowMs argv[1] st db) w)

/// XPENDING's summary: [count, first ID, last ID, [[consumer, count as a bulk string]...]].
let private pendingSummary (g: ConsumerGroup) =
    if g.Pel.IsEmpty then
        RespValue.Array [| RespValue.Integer 0L; RespValue.Null; RespValue.Null; RespValue.NullArray |]
    else
        let first = Tree.item 0 g.Pel
        let last = Tree.item (g.Pel.Count - 1) g.Pel

        let consumers =
            g.Consumers
            |> Seq.filter (fun c -> not c.Pending.IsEmpty)
            |> Seq.map (fun c ->
                RespValue.Array
                    [|
                        RespValue.Bulk c.Name
                        RespValue.Bulk(Numbers.formatInt64 (int64 c.Pending.Count))
                    |])
            |> Array.ofSeq

        RespValue.Array
            [|
                RespValue.Integer(int64 g.Pel.Count)
                idReply first.Id
                idReply last.Id
                RespValue.Array consumers
            |]

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]: the range arguments are read
// before the key; a consumer that does not exist has nothing pending.
let xpending: Handler =
    fun ctx s argv w ->
        let argc = argv.Length

        let range =
            if argc <> 3 && (argc < 6 || argc > 9) then
                Error RedisError.Syntax
            elif argc < 6 then
                Ok ValueNone
            else
                result {
                    let idle = is "IDLE" argv[3]
                    let! minIdle = if idle then readInt64 argv[4] else Ok 0L

                    if idle && argc < 8 then
                        return! Error RedisError.Syntax
                    else
                        let at = if idle then 5 else 3
                        let! count = readInt64 argv[at + 2]
                        let! start = readRangeStart argv[at]
                        let! finish = readRangeEnd argv[at + 1]
                        let consumer = if at + 3 < argc then ValueSome argv[at + 3] else ValueNone
                        return ValueSome(struct (minIdle, max count 0L, start, finish, consumer))
                }

        let db = World.db s.Db w

        match
            range
            |> Result.bind (fun r -> streamAndGroup ctx.NowMs argv db |> Result.map (fun sg -> struct (r, sg)))
        with
        | Error e -> Outcome.error e s w |> keymissOnNoGroup ctx e argv[1] db
        | Ok(struct (ValueNone, struct (_, g))) -> Outcome.reply (pendingSummary g) s w
        | Ok(struct (ValueSome(struct (minIdle, count, start, finish, consumer)), struct (_, g))) ->
            let candidates =
                match consumer with
                | ValueNone -> ValueSome(StreamGroups.pendingRange start finish g)
                | ValueSome name ->
                    match StreamGroups.tryConsumer name g with
                    | ValueNone -> ValueNone
                    | ValueSome c ->
                        StreamGroups.consumerPendingRange start finish c
                        |> Array.choose (fun id ->
                            match StreamGroups.tryPending id g with
                            | ValueSome p -> Some p
                            | ValueNone -> None)
                        |> ValueSome

            match candidates with
            | ValueNone -> Outcome.reply (RespValue.Array [||]) s w
            | ValueSome candidates ->
                let rows = ResizeArray()
                let mutable i = 0

                while int64 rows.Count < count && i < candidates.Length do
                    let p = candidates[i]
                    let idle = ctx.NowMs - p.DeliveryTime

                    if minIdle = 0L || idle >= minIdle then
                        rows.Add(
                            RespValue.Array
                                [|
                                    idReply p.Id
                                    RespValue.Bulk p.Consumer
                                    RespValue.Integer(max idle 0L)
                                    RespValue.Integer p.DeliveryCount
                                |]
                        )

                    i <- i + 1

                Outcome.reply (RespValue.Array(rows.ToArray())) s w

// ---- XCLAIM, XAUTOCLAIM ---------------------------------------------------------------------------

/// Give the pending entry id to consumer name (created, with its event, when missing; seen now):
/// delivered at deliveryTime, with the delivery count set (retryCount >= 0) or counted (unless justId).
let private claimOne
    (ctx: Ctx)
    (name: Bytes)
    (p: PendingEntry)
    (deliveryTime: int64)
    (retryCount: int64)
    (justId: bool)
    (consumerSeen: bool)
    (g: ConsumerGroup)
    : struct (ConsumerGroup * bool) =
    let struct (g, created) =
        if consumerSeen then
            struct (g, false)
        else
            let struct (_, g, created) = StreamGroups.seeConsumer name ctx.NowMs g
            struct (g, created)

    let count =
        if retryCount >= 0L then retryCount
        elif justId then p.DeliveryCount
        else p.DeliveryCount + 1L

    let g =
        StreamGroups.setPending
            { p with
                Consumer = name
                DeliveryTime = deliveryTime
                DeliveryCount = count
            }
            g

    struct (g, created)

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-ms] [RETRYCOUNT count]
//   [FORCE] [JUSTID] [LASTID id]: the IDs are the arguments that read as IDs; options follow. An
// entry deleted from the stream leaves the PEL instead of being claimed.
let xclaim: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w
        let now = ctx.NowMs

        let parsed =
            streamAndGroup now argv db
            |> Result.bind (fun (struct (st, g)) ->
                match Numbers.tryParseInt64 argv[4] with
                | ValueNone -> Error RedisError.XclaimMinIdle
                | ValueSome minIdle ->
                    let mutable j = 5

                    while j < argv.Length && (StreamId.tryParse argv[j] 0UL true false).IsSome do
                        j <- j + 1

                    let lastIdArg = j - 1

                    let rec options j force justId deliveryTime retry (lastId: StreamId) =
                        if j >= argv.Length then
                            Ok(struct (force, justId, deliveryTime, retry, lastId))
                        else
                            let more = j + 1 < argv.Length
                            let opt = argv[j]

                            let number (err: RedisError) =
                                match Numbers.tryParseInt64 argv[j + 1] with
                                | ValueSome n -> Ok n
                                | ValueNone -> Error err

                            if is "FORCE" opt then
                                options (j + 1) true justId deliveryTime retry lastId
                            elif is "JUSTID" opt then
                                options (j + 1) force true deliveryTime retry lastId
                            elif is "IDLE" opt && more then
                                number RedisError.XclaimIdle
                                |> Result.bind (fun n -> options (j + 2) force justId (now - n) retry lastId)
                            elif is "TIME" opt && more then
                                number RedisError.XclaimTime
                                |> Result.bind (fun n -> options (j + 2) force justId n retry lastId)
                            elif is "RETRYCOUNT" opt && more then
                                number RedisError.XclaimRetryCount
                                |> Result.bind (fun n -> options (j + 2) force justId deliveryTime n lastId)
                            elif is "LASTID" opt && more then
                                readStrictId 0UL argv[j + 1]
                                |> Result.bind (fun id -> options (j + 2) force justId deliveryTime retry id)
                            else
                                Error(RedisError.XclaimOption opt)

                    options (lastIdArg + 1) false false -1L -1L StreamId.zero
                    |> Result.map (fun o -> struct (st, g, max minIdle 0L, lastIdArg, o)))

        match parsed with
        | Error e -> Outcome.error e s w |> keymissOnNoGroup ctx e argv[1] db
        | Ok(struct (st, g, minIdle, lastIdArg, struct (force, justId, deliveryTime, retry, lastId))) ->
            let mutable g =
                if StreamId.compare lastId g.LastId > 0 then
                    { g with LastId = lastId }
                else
                    g

            let deliveryTime =
                if deliveryTime = -1L || deliveryTime < 0L || deliveryTime > now then
                    now
                else
                    deliveryTime

            let replies = ResizeArray()
            let mutable seen = false
            let mutable created = false
            let name = argv[3]

            for j in 5..lastIdArg do
                let id = (StreamId.tryParse argv[j] 0UL true false).Value.Id
                let pending = StreamGroups.tryPending id g

                match RedisStream.tryFind id st with
                | ValueNone ->
                    match pending with
                    | ValueSome p -> g <- StreamGroups.removePending p g
                    | ValueNone -> ()
                | ValueSome entry ->
                    let pending =
                        match pending with
                        | ValueNone when force ->
                            ValueSome
                                {
                                    Id = id
                                    Consumer = null
                                    DeliveryTime = now
                                    DeliveryCount = 1L
                                }
                        | p -> p

                    match pending with
                    | ValueSome p when not (isNull p.Consumer) && minIdle > 0L && now - p.DeliveryTime < minIdle -> ()
                    | ValueSome p ->
                        let struct (g', made) = claimOne ctx name p deliveryTime retry justId seen g
                        g <- g'
                        created <- created || made
                        seen <- true
                        replies.Add(if justId then idReply id else entryReply entry)
                    | ValueNone -> ()

            let st = StreamGroups.withGroup g st

            Outcome.reply (RespValue.Array(replies.ToArray())) s (World.withDb s.Db (storeStream now argv[1] st db) w)
            |> notifyWhen ctx created NotifyClass.Stream "xgroup-createconsumer" argv[1]

/// XAUTOCLAIM's COUNT bound (LONG_MAX / 16) and the most its transient array of IDs may take before
/// the allocation fails (a 47-bit address space: about 8.8e12 IDs of 16 bytes).
let private autoclaimMaxCount = Int64.MaxValue / 16L

let private autoclaimAllocatable = (1L <<< 47) / 16L

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]: claims up to count pending
// entries idle long enough from start on, examining at most 10 * count; answers [next cursor, claimed,
// deleted IDs] (entries deleted from the stream leave the PEL and count towards count).
let xautoclaim: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w
        let now = ctx.NowMs

        let parsed =
            match Numbers.tryParseInt64 argv[4] with
            | ValueNone -> Error RedisError.XautoclaimMinIdle
            | ValueSome minIdle ->
                readRangeStart argv[5]
                |> Result.bind (fun start ->
                    let rec options j count justId =
                        if j >= argv.Length then
                            Ok(struct (count, justId))
                        elif is "COUNT" argv[j] && j + 1 < argv.Length then
                            match Numbers.tryParseInt64 argv[j + 1] with
                            | ValueSome n when n >= 1L && n <= autoclaimMaxCount -> options (j + 2) n justId
                            | _ -> Error RedisError.XautoclaimCount
                        elif is "JUSTID" argv[j] then
                            options (j + 1) count true
                        else
                            Error RedisError.Syntax

                    options 6 100L false
                    |> Result.bind (fun (struct (count, justId)) ->
                        streamAndGroup now argv db
                        |> Result.bind (fun (struct (st, g)) ->
                            if count > autoclaimAllocatable then
                                Error RedisError.XautoclaimCountTooHigh
                            else
                                Ok(struct (st, g, max minIdle 0L, start, count, justId)))))

        match parsed with
        // xautoclaimCommand looks the key up before it parses anything: a missing key misses whatever the error
        | Error e ->
            Outcome.error e s w
            |> keymissWhen ctx (Db.tryGet ctx.NowMs argv[1] db).IsNone argv[1]
        | Ok(struct (st, g, minIdle, start, count, justId)) ->
            let candidates = StreamGroups.pendingRange start StreamId.max g
            let mutable g = g
            let mutable attempts = count * 10L
            let mutable count = count
            let mutable i = 0
            let mutable seen = false
            let mutable created = false
            let claimed = ResizeArray()
            let deleted = ResizeArray()
            let name = argv[3]

            while attempts > 0L && count > 0L && i < candidates.Length do
                attempts <- attempts - 1L
                let p = candidates[i]
                i <- i + 1

                match RedisStream.tryFind p.Id st with
                | ValueNone ->
                    g <- StreamGroups.removePending p g
                    deleted.Add(idReply p.Id)
                    count <- count - 1L
                | ValueSome entry ->
                    if minIdle = 0L || now - p.DeliveryTime >= minIdle then
                        // The PEL entry as it is now (an earlier claim may have changed its consumer).
                        let p = (StreamGroups.tryPending p.Id g).Value
                        let struct (g', made) = claimOne ctx name p now -1L justId seen g
                        g <- g'
                        created <- created || made
                        seen <- true
                        claimed.Add(if justId then idReply p.Id else entryReply entry)
                        count <- count - 1L

            let cursor =
                if i < candidates.Length then
                    candidates[i].Id
                else
                    StreamId.zero

            let st = StreamGroups.withGroup g st

            Outcome.reply
                (RespValue.Array
                    [|
                        idReply cursor
                        RespValue.Array(claimed.ToArray())
                        RespValue.Array(deleted.ToArray())
                    |])
                s
                (World.withDb s.Db (storeStream now argv[1] st db) w)
            |> notifyWhen ctx created NotifyClass.Stream "xgroup-createconsumer" argv[1]
