/// XINFO STREAM [FULL [COUNT]], GROUPS, CONSUMERS, HELP (t_stream.c xinfoCommand): maps in RESP3,
/// flat arrays in RESP2; lag and entries-read as Redis 7.0 reports them (nil when unknown).
module CoolCache.Core.Commands.StreamInfoCommands

open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.State
open CoolCache.Core.Commands.Args
open CoolCache.Core.Commands.StreamCommands

let private str (s: string) = RespValue.ofString s

let private lagReply (g: ConsumerGroup) (st: RedisStream) =
    match RedisStream.lag g st with
    | ValueSome n -> RespValue.Integer n
    | ValueNone -> RespValue.Null

let private entriesReadReply (g: ConsumerGroup) =
    if g.EntriesRead <> RedisStream.InvalidEntriesRead then
        RespValue.Integer g.EntriesRead
    else
        RespValue.Null

/// The stream at argv[2] for XINFO: "no such key" when absent.
let private infoStream (ctx: Ctx) (s: Session) (argv: Bytes[]) (w: World) =
    match getStream ctx.NowMs argv[2] (World.db s.Db w) with
    | Error e -> Error e
    | Ok ValueNone -> Error RedisError.NoSuchKey
    | Ok(ValueSome st) -> Ok st

let private streamHead (st: RedisStream) =
    [|
        struct (str "length", RespValue.Integer(int64 (RedisStream.length st)))
        struct (str "radix-tree-keys", RespValue.Integer(int64 st.Nodes.Count))
        struct (str "radix-tree-nodes", RespValue.Integer(int64 (RedisStream.radixTreeNodes st)))
        struct (str "last-generated-id", idReply st.LastId)
        struct (str "max-deleted-entry-id", idReply st.MaxDeletedId)
        struct (str "entries-added", RespValue.Integer st.EntriesAdded)
        struct (str "recorded-first-entry-id", idReply (RedisStream.firstId st))
    |]

/// At most count elements of a sequence (0 = all).
let private takeCount (count: int) (xs: 'T seq) =
    if count > 0 then Seq.truncate count xs else xs

let private fullGroup (count: int) (st: RedisStream) (g: ConsumerGroup) =
    let pending =
        g.Pel
        |> takeCount count
        |> Seq.map (fun p ->
            RespValue.Array
                [|
                    idReply p.Id
                    RespValue.Bulk p.Consumer
                    RespValue.Integer p.DeliveryTime
                    RespValue.Integer p.DeliveryCount
                |])
        |> Array.ofSeq

    let consumers =
        g.Consumers
        |> Seq.map (fun c ->
            let pending =
                c.Pending
                |> takeCount count
                |> Seq.map (fun id ->
                    let p = StreamGroups.tryPending id g

                    RespValue.Array
                        [|
                            idReply id
                            RespValue.Integer(if p.IsSome then p.Value.DeliveryTime else 0L)
                            RespValue.Integer(if p.IsSome then p.Value.DeliveryCount else 0L)
                        |])
                |> Array.ofSeq

            RespValue.Map
                [|
                    struct (str "name", RespValue.Bulk c.Name)
                    struct (str "seen-time", RespValue.Integer c.SeenTime)
                    struct (str "pel-count", RespValue.Integer(int64 c.Pending.Count))
                    struct (str "pending", RespValue.Array pending)
                |])
        |> Array.ofSeq

    RespValue.Map
        [|
            struct (str "name", RespValue.Bulk g.Name)
            struct (str "last-delivered-id", idReply g.LastId)
            struct (str "entries-read", entriesReadReply g)
            struct (str "lag", lagReply g st)
            struct (str "pel-count", RespValue.Integer(int64 g.Pel.Count))
            struct (str "pending", RespValue.Array pending)
            struct (str "consumers", RespValue.Array consumers)
        |]

// XINFO STREAM key [FULL [COUNT count]]: the key is looked up before the options are read.
let xinfoStream: Handler =
    fun ctx s argv w ->
        let syntax = RedisError.SubcommandSyntax(argv[1], "XINFO")

        let reply =
            infoStream ctx s argv w
            |> Result.bind (fun st ->
                let argc = argv.Length - 3

                if argc = 0 then
                    let edge (rev: bool) =
                        match RedisStream.range StreamId.zero StreamId.max 1 rev st with
                        | [| e |] -> entryReply e
                        | _ -> RespValue.Null

                    Ok(
                        RespValue.Map(
                            Array.append
                                (streamHead st)
                                [|
                                    struct (str "groups", RespValue.Integer(int64 st.Groups.Count))
                                    struct (str "first-entry", edge false)
                                    struct (str "last-entry", edge true)
                                |]
                        )
                    )
                elif argc > 3 || not (is "FULL" argv[3]) then
                    Error syntax
                else
                    let count =
                        if argc = 1 then
                            Ok 10L
                        elif argc = 3 && is "COUNT" argv[4] then
                            readInt64 argv[5] |> Result.map (fun n -> if n < 0L then 10L else n)
                        else
                            Error syntax

                    count
                    |> Result.map (fun count ->
                        let count = countLimit count

                        RespValue.Map(
                            Array.append
                                (streamHead st)
                                [|
                                    struct (str "entries",
                                            entriesReply (RedisStream.range StreamId.zero StreamId.max count false st))
                                    struct (str "groups",
                                            RespValue.Array(st.Groups |> Seq.map (fullGroup count st) |> Array.ofSeq))
                                |]
                        )))

        match reply with
        | Ok r -> Outcome.reply r s w
        | Error e -> Outcome.error e s w |> keymissWhen ctx (e = RedisError.NoSuchKey) argv[2]

// XINFO GROUPS key
let xinfoGroups: Handler =
    fun ctx s argv w ->
        match infoStream ctx s argv w with
        | Error e -> Outcome.error e s w |> keymissWhen ctx (e = RedisError.NoSuchKey) argv[2]
        | Ok st ->
            st.Groups
            |> Seq.map (fun g ->
                RespValue.Map
                    [|
                        struct (str "name", RespValue.Bulk g.Name)
                        struct (str "consumers", RespValue.Integer(int64 g.Consumers.Count))
                        struct (str "pending", RespValue.Integer(int64 g.Pel.Count))
                        struct (str "last-delivered-id", idReply g.LastId)
                        struct (str "entries-read", entriesReadReply g)
                        struct (str "lag", lagReply g st)
                    |])
            |> Array.ofSeq
            |> RespValue.Array
            |> fun r -> Outcome.reply r s w

// XINFO CONSUMERS key group: idle is the time since the consumer was last seen.
let xinfoConsumers: Handler =
    fun ctx s argv w ->
        match infoStream ctx s argv w with
        | Error e -> Outcome.error e s w |> keymissWhen ctx (e = RedisError.NoSuchKey) argv[2]
        | Ok st ->
            match StreamGroups.tryGroup argv[3] st with
            | ValueNone -> Outcome.error (RedisError.NoSuchGroup(argv[3], argv[2])) s w
            | ValueSome g ->
                g.Consumers
                |> Seq.map (fun c ->
                    RespValue.Map
                        [|
                            struct (str "name", RespValue.Bulk c.Name)
                            struct (str "pending", RespValue.Integer(int64 c.Pending.Count))
                            struct (str "idle", RespValue.Integer(ctx.NowMs - c.SeenTime))
                        |])
                |> Array.ofSeq
                |> RespValue.Array
                |> fun r -> Outcome.reply r s w

// XINFO HELP
let xinfoHelp: Handler =
    fun _ s argv w ->
        let lines =
            [
                "CONSUMERS <key> <groupname>"
                "    Show consumers of <groupname>."
                "GROUPS <key>"
                "    Show the stream consumer groups."
                "STREAM <key> [FULL [COUNT <count>]"
                "    Show information about the stream."
            ]

        Outcome.reply (KeyCommands.helpReply argv[0] lines) s w
