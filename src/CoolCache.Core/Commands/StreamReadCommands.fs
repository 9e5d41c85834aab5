/// XREAD and XREADGROUP (t_stream.c xreadCommand) with BLOCK (blocking.c): the arguments, the
/// synchronous read, and the wait. A blocked XREAD asks the host to run a rewritten command when a key
/// holds a stream: the same keys with the IDs resolved ("$" is the last ID when the client blocked)
/// and Redis's COUNT for served waiters (1000 when none was given). A blocked XREADGROUP asks to run
/// after every write: its key may disappear ("UNBLOCKED the stream key no longer exists") or its group
/// ("NOGROUP the consumer group this client was blocked on no longer exists"), and it is served when
/// an entry was added to its stream since it blocked (Redis serves waiters on XADD, not on XSETID or
/// XGROUP SETID) and the stream's last ID is past the group's. The
/// rewritten commands carry a marker (their name is one of this module's own byte arrays, which no
/// client can send) so that the handler knows it serves a waiter.
module CoolCache.Core.Commands.StreamReadCommands

open System
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args
open CoolCache.Core.Commands.StreamCommands

/// The names of the rewritten commands a waiter runs (compared by reference, never by content).
let private waiterXread = Bytes.ofString "XREAD"

let private waiterXreadgroup = Bytes.ofString "XREADGROUP"

/// XREAD_BLOCKED_DEFAULT_COUNT: what a served waiter reads at most when it gave no COUNT.
let private blockedDefaultCount = 1000L

/// XREAD/XREADGROUP options (xreadCommand): COUNT (0 = all), BLOCK (ValueSome deadline, 0 = forever),
/// GROUP and NOACK, and where the keys start and how many there are.
[<Struct>]
type private ReadArgs =
    {
        Count: int64
        Block: int64 voption
        Group: Bytes
        Consumer: Bytes
        NoAck: bool
        KeysAt: int
        Streams: int
    }

/// BLOCK milliseconds (getTimeoutFromObjectOrReply, UNIT_MILLISECONDS): an integer, not negative;
/// 0 waits forever, otherwise the deadline (past int64: forever in practice).
let private readBlock (now: int64) (b: Bytes) =
    match Numbers.tryParseInt64 b with
    | ValueNone -> Error RedisError.TimeoutNotInteger
    | ValueSome ms when ms < 0L -> Error RedisError.TimeoutNegative
    | ValueSome 0L -> Ok 0L
    | ValueSome ms ->
        Ok(
            if ms > Int64.MaxValue - now then
                Int64.MaxValue
            else
                now + ms
        )

let private readArgs (now: int64) (group: bool) (argv: Bytes[]) : Result<ReadArgs, RedisError> =
    let rec go i (a: ReadArgs) =
        if i >= argv.Length then
            Ok a
        else
            let more = argv.Length - i - 1
            let o = argv[i]

            if is "BLOCK" o && more > 0 then
                readBlock now argv[i + 1]
                |> Result.bind (fun d -> go (i + 2) { a with Block = ValueSome d })
            elif is "COUNT" o && more > 0 then
                readInt64 argv[i + 1]
                |> Result.bind (fun n -> go (i + 2) { a with Count = max n 0L })
            elif is "STREAMS" o && more > 0 then
                let n = argv.Length - i - 1

                if n % 2 <> 0 then
                    Error RedisError.UnbalancedStreams
                else
                    Ok
                        { a with
                            KeysAt = i + 1
                            Streams = n / 2
                        }
            elif is "GROUP" o && more >= 2 then
                if not group then
                    Error RedisError.GroupOptionInXread
                else
                    go
                        (i + 3)
                        { a with
                            Group = argv[i + 1]
                            Consumer = argv[i + 2]
                        }
            elif is "NOACK" o then
                if not group then
                    Error RedisError.NoackOptionInXread
                else
                    go (i + 1) { a with NoAck = true }
            else
                Error RedisError.Syntax

    go
        1
        {
            Count = 0L
            Block = ValueNone
            Group = null
            Consumer = null
            NoAck = false
            KeysAt = 0
            Streams = 0
        }
    |> Result.bind (fun a ->
        if a.KeysAt = 0 then
            Error RedisError.Syntax
        elif group && isNull a.Group then
            Error RedisError.MissingGroupOption
        else
            Ok a)

/// One stream's part of the reply: [key, entries] pairs in RESP2, a map in RESP3.
let private streamsReply (s: Session) (parts: ResizeArray<struct (Bytes * RespValue)>) =
    if s.Protocol >= 3 then
        RespValue.Map(
            parts
            |> Seq.map (fun (struct (k, v)) -> struct (RespValue.Bulk k, v))
            |> Array.ofSeq
        )
    else
        RespValue.Array(
            parts
            |> Seq.map (fun (struct (k, v)) -> RespValue.Array [| RespValue.Bulk k; v |])
            |> Array.ofSeq
        )

// ---- XREAD --------------------------------------------------------------------------------------

/// The XREAD a waiter runs: COUNT, then STREAMS with the resolved IDs.
let private xreadWaiterArgv (a: ReadArgs) (keys: Bytes[]) (ids: StreamId[]) =
    [|
        yield waiterXread
        yield Bytes.ofString "COUNT"
        yield Numbers.formatInt64 (if a.Count = 0L then blockedDefaultCount else a.Count)
        yield Bytes.ofString "STREAMS"
        yield! keys
        yield! ids |> Array.map StreamId.toBytes
    |]

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]: each stream with entries
// after its ID answers them; none, and BLOCK waits; otherwise a null array.
let xread: Handler =
    fun ctx s argv w ->
        let waiter = obj.ReferenceEquals(argv[0], waiterXread)
        let db = World.db s.Db w
        // Keys the first pass found missing ("keymiss"; Redis looks them up again to serve).
        let misses = ResizeArray<Bytes>()

        let resolved =
            readArgs ctx.NowMs false argv
            |> Result.bind (fun a ->
                let keys = Array.sub argv a.KeysAt a.Streams
                let ids = Array.zeroCreate a.Streams
                let streams = Array.zeroCreate a.Streams
                let mutable error = ValueNone
                let mutable i = 0

                while error.IsNone && i < a.Streams do
                    let idArg = argv[a.KeysAt + a.Streams + i]

                    match getStream ctx.NowMs keys[i] db with
                    // A waiter's other keys may have changed type since it blocked: they serve nothing.
                    | Error _ when waiter -> streams[i] <- ValueNone
                    | Error e -> error <- ValueSome e
                    | Ok st ->
                        streams[i] <- st

                        if st.IsNone && not waiter then
                            misses.Add keys[i]

                    if error.IsNone then
                        if cstrIs "$" idArg then
                            ids[i] <-
                                match streams[i] with
                                | ValueSome st -> st.LastId
                                | ValueNone -> StreamId.zero
                        elif cstrIs ">" idArg then
                            error <- ValueSome RedisError.GreaterIdInXread
                        else
                            match readStrictId 0UL idArg with
                            | Ok id -> ids[i] <- id
                            | Error e -> error <- ValueSome e

                    i <- i + 1

                match error with
                | ValueSome e -> Error e
                | ValueNone -> Ok(struct (a, keys, ids, streams)))

        let keymisses (o: Outcome) =
            if ctx.Events then
                Seq.fold (fun o key -> keymissWhen ctx true key o) o misses
            else
                o

        match resolved with
        | Error e -> Outcome.error e s w |> keymisses
        | Ok(struct (a, keys, ids, streams)) ->
            if not waiter then
                for i in 0 .. a.Streams - 1 do
                    if streams[i].IsNone then
                        misses.Add keys[i]

            let parts = ResizeArray()

            for i in 0 .. a.Streams - 1 do
                match streams[i] with
                | ValueSome st when
                    RedisStream.length st > 0
                    && StreamId.compare (RedisStream.lastValidId st) ids[i] > 0
                    ->
                    let start = (StreamId.tryIncr ids[i]).Value
                    let entries = RedisStream.range start StreamId.max (countLimit a.Count) false st
                    parts.Add(struct (keys[i], entriesReply entries))
                | _ -> ()

            if parts.Count > 0 then
                Outcome.reply (streamsReply s parts) s w |> keymisses
            elif waiter then
                Outcome.waitForRerun "stream" keys 0L RespValue.NullArray argv s w
            else
                match a.Block with
                | ValueSome deadline ->
                    Outcome.waitForRerun "stream" keys deadline RespValue.NullArray (xreadWaiterArgv a keys ids) s w
                    |> keymisses
                | ValueNone -> Outcome.reply RespValue.NullArray s w |> keymisses

// ---- XREADGROUP ---------------------------------------------------------------------------------

/// ">" as Redis holds it: the last possible ID (so an explicit last possible ID also means ">").
let private newEntries = StreamId.max

/// The XREADGROUP a waiter runs: the group, COUNT, NOACK, then STREAMS with, in place of the IDs, how
/// many entries each stream had had added when the client blocked.
let private xreadgroupWaiterArgv (a: ReadArgs) (keys: Bytes[]) (seen: int64[]) =
    [|
        yield waiterXreadgroup
        yield Bytes.ofString "GROUP"
        yield a.Group
        yield a.Consumer
        yield Bytes.ofString "COUNT"
        yield Numbers.formatInt64 (if a.Count = 0L then blockedDefaultCount else a.Count)
        if a.NoAck then
            yield Bytes.ofString "NOACK"
        yield Bytes.ofString "STREAMS"
        yield! keys
        yield! seen |> Array.map Numbers.formatInt64
    |]

/// Serve one stream to the consumer: its history from after id (id <> ">"), else the new entries
/// after the group's last ID. Returns the reply part, the stream, and whether the consumer was created.
let private serveGroup
    (now: int64)
    (a: ReadArgs)
    (id: StreamId)
    (count: int)
    (st: RedisStream)
    (g: ConsumerGroup)
    : struct (RespValue * RedisStream * bool) =
    let struct (consumer, g, created) = StreamGroups.seeConsumer a.Consumer now g

    if StreamId.compare id newEntries <> 0 then
        let start =
            match StreamId.tryIncr id with
            | ValueSome next -> next
            | ValueNone -> StreamId.zero

        let struct (items, g) = StreamGroups.deliverHistory st start count consumer now g

        let reply =
            items
            |> Array.map (fun (struct (id, entry)) ->
                match entry with
                | ValueSome e -> entryReply e
                | ValueNone -> RespValue.Array [| idReply id; RespValue.NullArray |])
            |> RespValue.Array

        struct (reply, StreamGroups.withGroup g st, created)
    else
        let start = (StreamId.tryIncr g.LastId).Value

        let struct (entries, g) =
            StreamGroups.deliver st start count a.NoAck a.Consumer now g

        struct (entriesReply entries, StreamGroups.withGroup g st, created)

/// A waiter's XREADGROUP: the first of its streams that had entries added since the client blocked and
/// whose last ID is past the group's is served; a stream gone or a group gone ends the wait with
/// Redis's error.
let private serveWaiter (ctx: Ctx) (s: Session) (argv: Bytes[]) (a: ReadArgs) (w: World) =
    let db = World.db s.Db w
    let mutable outcome = ValueNone
    let mutable i = 0

    while outcome.IsNone && i < a.Streams do
        let key = argv[a.KeysAt + i]

        let seen =
            Numbers.tryParseInt64 argv[a.KeysAt + a.Streams + i]
            |> ValueOption.defaultValue 0L

        match getStream ctx.NowMs key db with
        | Ok ValueNone
        | Error _ -> outcome <- ValueSome(Outcome.error RedisError.StreamKeyGone s w)
        | Ok(ValueSome st) ->
            match StreamGroups.tryGroup a.Group st with
            | ValueNone -> outcome <- ValueSome(Outcome.error RedisError.NoGroupBlocked s w)
            | ValueSome g when st.EntriesAdded <> seen && StreamId.compare st.LastId g.LastId > 0 ->
                let struct (part, st, created) =
                    serveGroup ctx.NowMs a newEntries (countLimit a.Count) st g

                let parts = ResizeArray [ struct (key, part) ]
                let db = storeStream ctx.NowMs key st db

                outcome <-
                    Outcome.reply (streamsReply s parts) s (World.withDb s.Db db w)
                    |> notifyWhen ctx created NotifyClass.Stream "xgroup-createconsumer" key
                    |> ValueSome
            | ValueSome _ -> ()

        i <- i + 1

    match outcome with
    | ValueSome o -> o
    | ValueNone -> Outcome.waitForRerun "" (Array.sub argv a.KeysAt a.Streams) 0L RespValue.NullArray argv s w

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...]
//   id|> [id|> ...]: ">" delivers entries never delivered to the group (and, unless NOACK, makes them
// pending for the consumer); an ID re-reads the consumer's pending entries after it.
let xreadgroup: Handler =
    fun ctx s argv w ->
        match readArgs ctx.NowMs true argv with
        | Error e -> Outcome.error e s w
        | Ok a when obj.ReferenceEquals(argv[0], waiterXreadgroup) -> serveWaiter ctx s argv a w
        | Ok a ->
            let db = World.db s.Db w
            let keys = Array.sub argv a.KeysAt a.Streams
            let ids = Array.zeroCreate a.Streams
            let targets = Array.zeroCreate a.Streams
            let mutable error = ValueNone
            let mutable i = 0

            while error.IsNone && i < a.Streams do
                let idArg = argv[a.KeysAt + a.Streams + i]

                match getStream ctx.NowMs keys[i] db with
                | Error e -> error <- ValueSome e
                | Ok ValueNone -> error <- ValueSome(RedisError.NoGroupForXreadgroup(keys[i], a.Group))
                | Ok(ValueSome st) ->
                    match StreamGroups.tryGroup a.Group st with
                    | ValueNone -> error <- ValueSome(RedisError.NoGroupForXreadgroup(keys[i], a.Group))
                    | ValueSome _ ->
                        targets[i] <- st

                        if cstrIs "$" idArg then
                            error <- ValueSome RedisError.DollarInXreadgroup
                        elif cstrIs ">" idArg then
                            ids[i] <- newEntries
                        else
                            match readStrictId 0UL idArg with
                            | Ok id -> ids[i] <- id
                            | Error e -> error <- ValueSome e

                i <- i + 1

            match error with
            | ValueSome e ->
                // A missing key is the only one looked up and absent: the loop stops at it.
                let missing =
                    match e with
                    | RedisError.NoGroupForXreadgroup(key, _) -> (Db.tryGet ctx.NowMs key db).IsNone
                    | _ -> false

                Outcome.error e s w
                |> keymissWhen
                    ctx
                    missing
                    (match e with
                     | RedisError.NoGroupForXreadgroup(key, _) -> key
                     | _ -> null)
            | ValueNone ->
                let parts = ResizeArray()
                let mutable db = db
                let mutable created = []

                for i in 0 .. a.Streams - 1 do
                    // The stream as earlier parts of this command left it (a key may be named twice).
                    let st =
                        match getStream ctx.NowMs keys[i] db with
                        | Ok(ValueSome st) -> st
                        | _ -> targets[i]

                    let g = (StreamGroups.tryGroup a.Group st).Value

                    let serve =
                        StreamId.compare ids[i] newEntries <> 0
                        || (RedisStream.length st > 0
                            && StreamId.compare (RedisStream.lastValidId st) g.LastId > 0)

                    if serve then
                        let struct (part, st, made) =
                            serveGroup ctx.NowMs a ids[i] (countLimit a.Count) st g

                        parts.Add(struct (keys[i], part))
                        db <- storeStream ctx.NowMs keys[i] st db

                        if made then
                            created <- keys[i] :: created

                if parts.Count > 0 then
                    let events (o: Outcome) =
                        List.foldBack
                            (fun key o -> Outcome.notify ctx NotifyClass.Stream "xgroup-createconsumer" key o)
                            created
                            o

                    Outcome.reply (streamsReply s parts) s (World.withDb s.Db db w) |> events
                else
                    match a.Block with
                    | ValueSome deadline ->
                        let seen = targets |> Array.map (fun st -> st.EntriesAdded)

                        Outcome.waitForRerun "" keys deadline RespValue.NullArray (xreadgroupWaiterArgv a keys seen) s w
                    | ValueNone -> Outcome.reply RespValue.NullArray s w
