/// What a write sends to the append-only file and to replicas (server.c call/alsoPropagate): the
/// command as it came when that is deterministic, otherwise the form Redis 7.0 rewrites it to, so
/// that replaying the log on the World it started from gives the same World. Relative times become
/// absolute (PEXPIREAT, SET ... PXAT, RESTORE ... ABSTTL), random choices become what was chosen
/// (SPOP -> SREM), floats become the value stored (INCRBYFLOAT -> SET ... KEEPTTL), blocking commands
/// become the non-blocking one that served them, generated stream IDs and approximate trims become
/// explicit, and consumer-group reads become XCLAIM / XGROUP SETID. Only when World.Propagating: the
/// common path pays nothing. Rewrites read the command's reply and the World after it.
module CoolCache.Core.Commands.Propagation

open System.Collections.Generic
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Keyspace
open CoolCache.Core.Values
open CoolCache.Core.State

let private token (s: string) : Bytes = Bytes.ofLatin1 s
let private DEL = token "DEL"
let private SET = token "SET"
let private PXAT = token "PXAT"
let private KEEPTTL = token "KEEPTTL"
let private PEXPIREAT = token "PEXPIREAT"
let private PERSIST = token "PERSIST"
let private EQUALS = token "="
let private XCLAIM = token "XCLAIM"
let private XACK = token "XACK"
let private XGROUP = token "XGROUP"
let private ZERO = token "0"

let private int64Bytes (n: int64) = Bytes.ofLatin1 (string n)

/// A rewrite: argv, the database it ran in, its reply and the World after it -> the forms to send
/// instead (empty: send nothing), or ValueNone to send argv as it came.
type private Rewrite = Bytes[] -> int -> RespValue -> State.World -> Bytes[] list voption

let private dbAfter (db: int) (w: World) = World.db db w

let private deadline (db: int) (key: Bytes) (w: World) = Db.deadline key (dbAfter db w)

let private exists (db: int) (key: Bytes) (w: World) = (dbAfter db w).Keys.ContainsKey key

/// SET/SETEX/PSETEX with a relative or second-based time: SET key value PXAT ms (t_string.c).
let private setWithTime (valueAt: int) : Rewrite =
    fun argv db _ w ->
        let timed =
            valueAt <> 2
            || argv[3..]
               |> Array.exists (fun a ->
                   Bytes.equalsToken a "EX"
                   || Bytes.equalsToken a "PX"
                   || Bytes.equalsToken a "EXAT")

        if not timed then
            ValueNone
        else
            match deadline db argv[1] w with
            | ValueSome at -> ValueSome [ [| SET; argv[1]; argv[valueAt]; PXAT; int64Bytes at |] ]
            | ValueNone -> ValueSome [ [| SET; argv[1]; argv[valueAt] |] ]

/// The key's time to live as it is now: PEXPIREAT, PERSIST, or DEL when the command removed it.
let private ttlState (persistWhenNone: bool) : Rewrite =
    fun argv db _ w ->
        if not (exists db argv[1] w) then
            ValueSome [ [| DEL; argv[1] |] ]
        else
            match deadline db argv[1] w with
            | ValueSome at -> ValueSome [ [| PEXPIREAT; argv[1]; int64Bytes at |] ]
            | ValueNone when persistWhenNone -> ValueSome [ [| PERSIST; argv[1] |] ]
            | ValueNone -> ValueNone

/// INCRBYFLOAT -> SET key value KEEPTTL; HINCRBYFLOAT -> HSET key field value (the reply is the value).
let private floatResult (hash: bool) : Rewrite =
    fun argv _ reply _ ->
        match reply with
        | RespValue.Bulk v when hash -> ValueSome [ [| token "HSET"; argv[1]; argv[2]; v |] ]
        | RespValue.Bulk v -> ValueSome [ [| SET; argv[1]; v; KEEPTTL |] ]
        | _ -> ValueNone

let private bulks (r: RespValue) =
    match r with
    | RespValue.Array items
    | RespValue.Set items ->
        items
        |> Array.choose (fun i ->
            match i with
            | RespValue.Bulk b -> Some b
            | _ -> None)
    | RespValue.Bulk b -> [| b |]
    | _ -> [||]

/// SPOP: SREM of what was popped, or DEL when the set is gone (t_set.c).
let private spop: Rewrite =
    fun argv db reply w ->
        let popped = bulks reply

        if popped.Length = 0 then
            ValueSome []
        elif argv.Length = 3 && not (exists db argv[1] w) then
            ValueSome [ [| DEL; argv[1] |] ]
        else
            ValueSome [ Array.append [| token "SREM"; argv[1] |] popped ]

/// RESTORE with a relative TTL: the absolute deadline and ABSTTL (cluster.c restoreCommand).
let private restore: Rewrite =
    fun argv db _ w ->
        let absolute = argv |> Array.exists (fun a -> Bytes.equalsToken a "ABSTTL")

        if absolute || Bytes.equals argv[2] ZERO then
            ValueNone
        else
            match deadline db argv[1] w with
            | ValueSome at ->
                let a = Array.copy argv
                a[2] <- int64Bytes at
                ValueSome [ Array.append a [| token "ABSTTL" |] ]
            | ValueNone -> ValueNone

/// A served blocking pop becomes the pop on the key that served it (the reply's first element).
let private servedPop (name: string) : Rewrite =
    fun _ _ reply _ ->
        match reply with
        | RespValue.Array items when items.Length > 0 ->
            match items[0] with
            | RespValue.Bulk key -> ValueSome [ [| token name; key |] ]
            | _ -> ValueNone
        | _ -> ValueNone

/// BLMOVE/BRPOPLPUSH/BLMPOP/BZMPOP: the same command without its timeout.
let private withoutTimeout (name: string) (timeoutAt: int) : Rewrite =
    fun argv _ _ _ ->
        let rest = Array.append argv[1 .. timeoutAt - 1] argv[timeoutAt + 1 ..]
        ValueSome [ Array.append [| token name |] rest ]

let private streamAt (db: int) (key: Bytes) (w: World) =
    match (dbAfter db w).Keys.TryFind key with
    | ValueSome(Value.Stream s) -> ValueSome s
    | _ -> ValueNone

/// The exact trim an approximate one did: MAXLEN = the length it left (a trim only ever removes the
/// oldest entries, so that removes the same ones; Redis's MINID = first ID would keep everything when
/// the trim emptied the stream).
let private exactTrim (s: RedisStream) =
    [ token "MAXLEN"; EQUALS; int64Bytes (RedisStream.length s |> int64) ]

/// Reads XADD/XTRIM trim options from argv[i]: NOMKSTREAM (XADD), MAXLEN|MINID [=|~] threshold,
/// LIMIT count. Returns the index after them, whether NOMKSTREAM was given, the strategy and threshold
/// (null when none) and whether the trim was approximate.
let private trimOptions (argv: Bytes[]) (start: int) =
    let mutable i = start
    let mutable nomk = false
    let mutable strategy: Bytes = null
    let mutable threshold: Bytes = null
    let mutable approx = false
    let mutable go = true

    while go && i < argv.Length do
        let a = argv[i]

        if Bytes.equalsToken a "NOMKSTREAM" then
            nomk <- true
            i <- i + 1
        elif
            (Bytes.equalsToken a "MAXLEN" || Bytes.equalsToken a "MINID")
            && i + 1 < argv.Length
        then
            strategy <- a
            i <- i + 1

            if Bytes.equals argv[i] (token "~") then
                approx <- true
                i <- i + 1
            elif Bytes.equals argv[i] EQUALS then
                i <- i + 1

            threshold <- argv[i]
            i <- i + 1
        elif Bytes.equalsToken a "LIMIT" then
            i <- i + 2
        else
            go <- false

    struct (i, nomk, strategy, threshold, approx)

/// XADD: the ID it generated, and an approximate trim as the exact one it did.
let private xadd: Rewrite =
    fun argv db reply w ->
        match reply, streamAt db argv[1] w with
        | RespValue.Bulk id, ValueSome s ->
            let struct (i, nomk, strategy, threshold, approx) = trimOptions argv 2
            let out = ResizeArray<Bytes>(argv.Length + 2)
            out.Add argv[0]
            out.Add argv[1]

            if nomk then
                out.Add(token "NOMKSTREAM")

            if approx then
                out.AddRange(exactTrim s)
            elif not (isNull strategy) then
                out.Add strategy
                out.Add EQUALS
                out.Add threshold

            out.Add id

            for j in i + 1 .. argv.Length - 1 do
                out.Add argv[j]

            ValueSome [ out.ToArray() ]
        | _ -> ValueNone

/// XTRIM with ~: the exact trim it did.
let private xtrim: Rewrite =
    fun argv db _ w ->
        let struct (_, _, strategy, _, approx) = trimOptions argv 2

        match streamAt db argv[1] w with
        | ValueSome s when approx && not (isNull strategy) ->
            ValueSome [ Array.append [| argv[0]; argv[1] |] (Array.ofList (exactTrim s)) ]
        | ValueSome _
        | ValueNone -> ValueNone

/// The stream entry IDs a reply lists: entries [id, fields] or bare IDs (JUSTID).
let private entryIds (r: RespValue) : Bytes[] =
    match r with
    | RespValue.Array items ->
        items
        |> Array.choose (fun e ->
            match e with
            | RespValue.Array pair when pair.Length > 0 ->
                match pair[0] with
                | RespValue.Bulk id -> Some id
                | _ -> None
            | RespValue.Bulk id -> Some id
            | _ -> None)
    | _ -> [||]

/// XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID last: the pending entry
/// of id as it is now (t_stream.c streamPropagateXCLAIM); XACK when id is no longer pending.
let private claimForms (key: Bytes) (group: Bytes) (ids: Bytes[]) (s: RedisStream) =
    match StreamGroups.tryGroup group s with
    | ValueNone -> []
    | ValueSome g ->
        [
            for id in ids do
                match StreamId.tryParse id 0UL true false with
                | ValueSome parsed ->
                    match StreamGroups.tryPending parsed.Id g with
                    | ValueSome p ->
                        yield
                            [|
                                XCLAIM
                                key
                                group
                                p.Consumer
                                ZERO
                                id
                                token "TIME"
                                int64Bytes p.DeliveryTime
                                token "RETRYCOUNT"
                                int64Bytes p.DeliveryCount
                                token "FORCE"
                                token "JUSTID"
                                token "LASTID"
                                StreamId.toBytes g.LastId
                            |]
                    | ValueNone -> yield [| XACK; key; group; id |]
                | ValueNone -> ()
        ]

/// The group's last ID and entries-read as they are now (XGROUP SETID ... ENTRIESREAD).
let private setIdForm (key: Bytes) (group: Bytes) (s: RedisStream) =
    match StreamGroups.tryGroup group s with
    | ValueSome g ->
        [
            [|
                XGROUP
                token "SETID"
                key
                group
                StreamId.toBytes g.LastId
                token "ENTRIESREAD"
                int64Bytes g.EntriesRead
            |]
        ]
    | ValueNone -> []

/// XREADGROUP GROUP g c ... STREAMS k... id...: the consumer, each delivered entry as XCLAIM, and the
/// group's new last ID (NOACK deliveries leave nothing pending: only SETID).
let private xreadgroup: Rewrite =
    fun argv db reply w ->
        let group = argv[2]
        let consumer = argv[3]

        let served: (Bytes * RespValue) list =
            match reply with
            | RespValue.Array streams ->
                streams
                |> Array.choose (fun st ->
                    match st with
                    | RespValue.Array [| RespValue.Bulk k; entries |] -> Some(k, entries)
                    | _ -> None)
                |> List.ofArray
            | RespValue.Map pairs ->
                pairs
                |> Array.choose (fun (struct (k, v)) ->
                    match k with
                    | RespValue.Bulk k -> Some(k, v)
                    | _ -> None)
                |> List.ofArray
            | _ -> []

        let keys =
            match Array.tryFindIndex (fun (a: Bytes) -> Bytes.equalsToken a "STREAMS") argv with
            | Some i -> argv[i + 1 .. i + (argv.Length - i - 1) / 2]
            | None -> [||]

        ValueSome
            [
                for key in keys do
                    match streamAt db key w with
                    | ValueSome s ->
                        yield [| XGROUP; token "CREATECONSUMER"; key; group; consumer |]

                        match served |> List.tryFind (fun (k, _) -> Bytes.equals k key) with
                        | Some(_, entries) -> yield! claimForms key group (entryIds entries) s
                        | None -> ()

                        yield! setIdForm key group s
                    | ValueNone -> ()
            ]

/// XCLAIM key group consumer min-idle id...: each ID as it is now (claimed, or no longer pending).
let private xclaim: Rewrite =
    fun argv db _ w ->
        match streamAt db argv[1] w with
        | ValueNone -> ValueSome []
        | ValueSome s ->
            let isOption (a: Bytes) =
                [ "IDLE"; "TIME"; "RETRYCOUNT"; "FORCE"; "JUSTID"; "LASTID" ]
                |> List.exists (Bytes.equalsToken a)

            let ids = argv[5..] |> Array.takeWhile (fun a -> not (isOption a))
            ValueSome(claimForms argv[1] argv[2] ids s @ setIdForm argv[1] argv[2] s)

/// XAUTOCLAIM: the claimed IDs as XCLAIM, the deleted ones as XACK.
let private xautoclaim: Rewrite =
    fun argv db reply w ->
        match streamAt db argv[1] w, reply with
        | ValueSome s, RespValue.Array parts when parts.Length >= 2 ->
            let deleted = if parts.Length >= 3 then bulks parts[2] else [||]
            ValueSome(claimForms argv[1] argv[2] (Array.append (entryIds parts[1]) deleted) s)
        | _ -> ValueNone

let private rewrites: Dictionary<string, Rewrite> =
    let d = Dictionary<string, Rewrite>()
    d["set"] <- setWithTime 2
    d["setex"] <- setWithTime 3
    d["psetex"] <- setWithTime 3
    d["getex"] <- ttlState true
    d["expire"] <- ttlState false
    d["pexpire"] <- ttlState false
    d["expireat"] <- ttlState false
    d["pexpireat"] <- ttlState false
    d["incrbyfloat"] <- floatResult false
    d["hincrbyfloat"] <- floatResult true
    d["spop"] <- spop
    d["restore"] <- restore
    d["blpop"] <- servedPop "LPOP"
    d["brpop"] <- servedPop "RPOP"
    d["bzpopmin"] <- servedPop "ZPOPMIN"
    d["bzpopmax"] <- servedPop "ZPOPMAX"
    d["blmove"] <- withoutTimeout "LMOVE" 5
    d["brpoplpush"] <- withoutTimeout "RPOPLPUSH" 3
    d["blmpop"] <- withoutTimeout "LMPOP" 1
    d["bzmpop"] <- withoutTimeout "ZMPOP" 1
    d["xadd"] <- xadd
    d["xtrim"] <- xtrim
    d["xreadgroup"] <- xreadgroup
    d["xclaim"] <- xclaim
    d["xautoclaim"] <- xautoclaim
    d

/// Whether effects already carry what to propagate.
let private hasPropagate (effects: Effect list) =
    effects
    |> List.exists (fun e ->
        match e with
        | Effect.Propagate _ -> true
        | _ -> false)

/// Run the handler of spec; when the World propagates, a write command that changed the data set
/// (World.Dirty moved, as server.dirty decides in call()) adds what it propagates.
let run (spec: CommandSpec) (ctx: Ctx) (s: Session) (argv: Bytes[]) (w: World) : Outcome =
    if not w.Propagating || spec.Flags &&& CommandFlags.Write = CommandFlags.None then
        spec.Handler ctx s argv w
    else
        let dirty = w.Dirty
        let db = s.Db
        let o = spec.Handler ctx s argv w

        if o.World.Dirty = dirty || hasPropagate o.Effects then
            o
        else
            let forms =
                match rewrites.TryGetValue spec.FullName with
                | true, rewrite ->
                    match rewrite argv db o.Reply o.World with
                    | ValueSome forms -> forms
                    | ValueNone -> [ argv ]
                | _ -> [ argv ]

            { o with
                Effects = o.Effects @ (forms |> List.map (fun a -> Effect.Propagate(db, a)))
            }

/// MULTI ... EXEC around the writes a transaction propagates (none: nothing).
let wrapTransaction (effects: Effect list) : Effect list =
    let writes =
        effects
        |> List.choose (fun e ->
            match e with
            | Effect.Propagate(db, _) -> Some db
            | _ -> None)

    match writes with
    | [] -> effects
    | first :: _ ->
        let last = List.last writes

        (Effect.Propagate(first, [| token "MULTI" |]) :: effects)
        @ [ Effect.Propagate(last, [| token "EXEC" |]) ]
