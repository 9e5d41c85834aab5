/// Stream commands without consumer groups (t_stream.c): XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID,
/// and the argument readers and replies every stream command shares. Replies, errors and the order in
/// which arguments and keys are checked follow Redis 7.0. An emptied stream stays a key.
module CoolCache.Core.Commands.StreamCommands

open System
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args

// ---- Stream API ---------------------------------------------------------------------------------

/// The stream at key: Ok(ValueSome stream), Ok ValueNone when absent, WRONGTYPE for other kinds.
let getStream (now: int64) (key: Bytes) (db: Db) : Result<RedisStream voption, RedisError> =
    match Db.tryGet now key db with
    | ValueNone -> Ok ValueNone
    | ValueSome(Value.Stream st) -> Ok(ValueSome st)
    | ValueSome _ -> Error RedisError.WrongType

/// Store a stream at key, keeping the key's deadline (an empty stream stays).
let storeStream (now: int64) (key: Bytes) (st: RedisStream) (db: Db) : Db =
    Db.set now key (Value.Stream st) Ttl.Keep db

/// stream-node-max-bytes and stream-node-max-entries.
let limits (w: World) =
    {
        MaxBytes = w.Config.StreamNodeMaxBytes
        MaxEntries = w.Config.StreamNodeMaxEntries
    }

/// Whether argument b is the C string s (Redis compares with strcmp: bytes after a NUL do not count).
let cstrIs (s: string) (b: Bytes) =
    let n =
        match Array.IndexOf(b, 0uy) with
        | -1 -> b.Length
        | i -> i

    n = s.Length
    && (let mutable ok = true
        let mutable i = 0

        while ok && i < n do
            ok <- b[i] = byte s[i]
            i <- i + 1

        ok)

/// streamParseStrictIDOrReply: an ID without "-"/"+"; "<ms>" means <ms>-missingSeq.
let readStrictId (missingSeq: uint64) (b: Bytes) : Result<StreamId, RedisError> =
    match StreamId.tryParse b missingSeq true false with
    | ValueSome p -> Ok p.Id
    | ValueNone -> Error RedisError.InvalidStreamId

/// streamParseIDOrReply: an ID, "-" (0-0) or "+" (the last possible ID).
let readId (missingSeq: uint64) (b: Bytes) : Result<StreamId, RedisError> =
    match StreamId.tryParse b missingSeq false false with
    | ValueSome p -> Ok p.Id
    | ValueNone -> Error RedisError.InvalidStreamId

/// streamParseIntervalIDOrReply: an ID, "-" or "+", or "(" before a strict ID for an exclusive
/// bound. Returns the ID and whether the bound is exclusive.
let readIntervalId (missingSeq: uint64) (b: Bytes) : Result<struct (StreamId * bool), RedisError> =
    if b.Length > 1 && b[0] = '('B then
        match StreamId.tryParse b[1..] missingSeq true false with
        | ValueSome p -> Ok(struct (p.Id, true))
        | ValueNone -> Error RedisError.InvalidStreamId
    else
        readId missingSeq b |> Result.map (fun id -> struct (id, false))

/// A range's start: inclusive, or the ID after an exclusive one ("invalid start ID" past the last).
let readRangeStart (b: Bytes) : Result<StreamId, RedisError> =
    match readIntervalId 0UL b with
    | Error e -> Error e
    | Ok(struct (id, false)) -> Ok id
    | Ok(struct (id, true)) ->
        match StreamId.tryIncr id with
        | ValueSome next -> Ok next
        | ValueNone -> Error RedisError.InvalidStartId

/// A range's end: inclusive, or the ID before an exclusive one ("invalid end ID" before 0-0).
let readRangeEnd (b: Bytes) : Result<StreamId, RedisError> =
    match readIntervalId UInt64.MaxValue b with
    | Error e -> Error e
    | Ok(struct (id, false)) -> Ok id
    | Ok(struct (id, true)) ->
        match StreamId.tryDecr id with
        | ValueSome prev -> Ok prev
        | ValueNone -> Error RedisError.InvalidEndId

/// An ID as a bulk string.
let idReply (id: StreamId) = RespValue.Bulk(StreamId.toBytes id)

/// [id, [field, value, ...]].
let entryReply (e: StreamEntry) =
    RespValue.Array [| idReply e.Id; RespValue.Array(Array.map RespValue.Bulk e.Fields) |]

let entriesReply (es: StreamEntry[]) =
    RespValue.Array(Array.map entryReply es)

/// A COUNT argument as an int for the range functions (0 = no limit; more than an int can hold is
/// no limit either).
let inline countLimit (count: int64) =
    if count <= 0L || count > int64 Int32.MaxValue then
        0
    else
        int count

/// A keyspace event when cond holds ("new" when a command created the key...).
let inline notifyWhen (ctx: Ctx) (cond: bool) (cls: NotifyClass) (event: string) (key: Bytes) (o: Outcome) =
    if cond then Outcome.notify ctx cls event key o else o

/// "keymiss" when a read lookup (Redis's lookupKeyRead) found no key.
let inline keymissWhen (ctx: Ctx) (missing: bool) (key: Bytes) (o: Outcome) =
    notifyWhen ctx missing NotifyClass.KeyMiss "keymiss" key o

// ---- XADD / XTRIM arguments -------------------------------------------------------------------

/// XADD and XTRIM options (streamParseAddOrTrimArgsOrReply): the trimming strategy, whether it is
/// approximate ("~"), the LIMIT (0 = none), NOMKSTREAM, and for XADD the requested ID (ValueNone
/// for "*") and where the fields start.
[<Struct>]
type AddTrimArgs =
    {
        Trim: StreamTrim
        Approx: bool
        Limit: int64
        NoMkStream: bool
        Id: ParsedId voption
        FieldsAt: int
    }

/// Reads XADD's options and ID (xadd) or XTRIM's options from argv[2] on. Without LIMIT, "~" limits
/// the work to 100 nodes' worth of entries (100 * stream-node-max-entries, at most 10000); exact
/// trimming has no limit.
let readAddTrimArgs (argv: Bytes[]) (xadd: bool) (maxEntries: int64) : Result<AddTrimArgs, RedisError> =
    let mutable trim = StreamTrim.None
    let mutable approx = false
    let mutable limit = 0L
    let mutable limitGiven = false
    let mutable noMk = false
    let mutable id = ValueNone
    let mutable error = ValueNone
    let mutable i = 2
    let mutable go = true

    /// "~" or "=" before the MAXLEN/MINID value.
    let readApprox (i: int) (moreArgs: int) =
        if moreArgs >= 2 && cstrIs "~" argv[i + 1] then
            struct (true, i + 1)
        elif moreArgs >= 2 && cstrIs "=" argv[i + 1] then
            struct (false, i + 1)
        else
            struct (false, i)

    while go && i < argv.Length do
        let moreArgs = argv.Length - 1 - i
        let opt = argv[i]

        if xadd && opt.Length >= 1 && opt[0] = '*'B && (opt.Length = 1 || opt[1] = 0uy) then
            go <- false
        elif is "MAXLEN" opt && moreArgs > 0 then
            if trim <> StreamTrim.None then
                error <- ValueSome RedisError.MaxLenAndMinId
                go <- false
            else
                let struct (a, j) = readApprox i moreArgs
                approx <- a

                match Numbers.tryParseInt64 argv[j + 1] with
                | ValueNone ->
                    error <- ValueSome RedisError.NotInteger
                    go <- false
                | ValueSome n when n < 0L ->
                    error <- ValueSome RedisError.MaxLenNegative
                    go <- false
                | ValueSome n ->
                    trim <- StreamTrim.MaxLen n
                    i <- j + 2
        elif is "MINID" opt && moreArgs > 0 then
            if trim <> StreamTrim.None then
                error <- ValueSome RedisError.MaxLenAndMinId
                go <- false
            else
                let struct (a, j) = readApprox i moreArgs
                approx <- a

                match readStrictId 0UL argv[j + 1] with
                | Error e ->
                    error <- ValueSome e
                    go <- false
                | Ok minId ->
                    trim <- StreamTrim.MinId minId
                    i <- j + 2
        elif is "LIMIT" opt && moreArgs > 0 then
            match Numbers.tryParseInt64 argv[i + 1] with
            | ValueNone ->
                error <- ValueSome RedisError.NotInteger
                go <- false
            | ValueSome n when n < 0L ->
                error <- ValueSome RedisError.StreamLimitNegative
                go <- false
            | ValueSome n ->
                limit <- n
                limitGiven <- true
                i <- i + 2
        elif xadd && is "NOMKSTREAM" opt then
            noMk <- true
            i <- i + 1
        elif xadd then
            match StreamId.tryParse opt 0UL true true with
            | ValueSome p -> id <- ValueSome p
            | ValueNone -> error <- ValueSome RedisError.InvalidStreamId

            go <- false
        else
            error <- ValueSome RedisError.Syntax
            go <- false

    match error with
    | ValueSome e -> Error e
    | ValueNone when limit <> 0L && trim = StreamTrim.None -> Error RedisError.LimitWithoutStrategy
    | ValueNone when not xadd && trim = StreamTrim.None -> Error RedisError.XtrimWithoutStrategy
    | ValueNone when limitGiven && not approx -> Error RedisError.LimitWithoutApprox
    | ValueNone ->
        let limit =
            if limitGiven then
                limit
            elif approx then
                let l = 100L * maxEntries
                if l <= 0L || l > 10000L then 10000L else l
            else
                0L

        Ok
            {
                Trim = trim
                Approx = approx
                Limit = limit
                NoMkStream = noMk
                Id = id
                FieldsAt = i + 1
            }

// ---- Commands -----------------------------------------------------------------------------------

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
let xadd: Handler =
    fun ctx s argv w ->
        match readAddTrimArgs argv true w.Config.StreamNodeMaxEntries with
        | Error e -> Outcome.error e s w
        | Ok a ->
            let pairs = argv.Length - a.FieldsAt

            if pairs < 2 || pairs % 2 = 1 then
                Outcome.error (RedisError.WrongArity "xadd") s w
            else
                match a.Id with
                | ValueSome p when p.SeqGiven && StreamId.isZero p.Id -> Outcome.error RedisError.StreamIdZero s w
                | _ ->
                    let db = World.db s.Db w

                    match getStream ctx.NowMs argv[1] db with
                    | Error e -> Outcome.error e s w
                    | Ok ValueNone when a.NoMkStream -> Outcome.reply RespValue.Null s w
                    | Ok found ->
                        let st =
                            match found with
                            | ValueSome st -> st
                            | ValueNone -> RedisStream.empty

                        if StreamId.compare st.LastId StreamId.max = 0 then
                            Outcome.error RedisError.StreamExhausted s w
                        else
                            match RedisStream.nextId ctx.NowMs a.Id st with
                            | ValueNone ->
                                match a.Id with
                                // "<ms>-*" after <ms>-<max>: streamAppendItem fails without setting
                                // errno to EDOM, so Redis answers with its other error.
                                | ValueSome p when
                                    not p.SeqGiven && p.Id.Ms = st.LastId.Ms && st.LastId.Seq = UInt64.MaxValue
                                    ->
                                    Outcome.error RedisError.StreamElementsTooLarge s w
                                | _ -> Outcome.error RedisError.StreamIdNotGreater s w
                            | ValueSome id ->
                                let fields = Array.sub argv a.FieldsAt pairs
                                let st = RedisStream.add db.Owner (limits w) id fields st

                                let struct (st, trimmed) = RedisStream.trim db.Owner a.Trim a.Approx a.Limit st

                                let db = storeStream ctx.NowMs argv[1] st db

                                Outcome.reply (idReply id) s (World.withDb s.Db db w)
                                |> notifyWhen ctx found.IsNone NotifyClass.New "new" argv[1]
                                |> Outcome.notify ctx NotifyClass.Stream "xadd" argv[1]
                                |> notifyWhen ctx (trimmed > 0L) NotifyClass.Stream "xtrim" argv[1]

// XLEN key
let xlen: Handler =
    fun ctx s argv w ->
        match getStream ctx.NowMs argv[1] (World.db s.Db w) with
        | Ok(ValueSome st) -> Outcome.reply (RespValue.Integer(int64 (RedisStream.length st))) s w
        | Ok ValueNone -> Outcome.reply (RespValue.Integer 0L) s w |> keymissWhen ctx true argv[1]
        | Error e -> Outcome.error e s w

/// XRANGE / XREVRANGE: the bounds (start/end for XRANGE, end/start for XREVRANGE), then COUNT, are
/// read before the key is looked up; COUNT 0 (or negative) answers a null array for a stream.
let private rangeGeneric (rev: bool) : Handler =
    fun ctx s argv w ->
        let rec options j count =
            if j >= argv.Length then
                Ok count
            elif is "COUNT" argv[j] && j + 1 < argv.Length then
                match readInt64 argv[j + 1] with
                | Ok n -> options (j + 2) (max n 0L)
                | Error e -> Error e
            else
                Error RedisError.Syntax

        let args =
            result {
                let! start = readRangeStart (if rev then argv[3] else argv[2])
                let! finish = readRangeEnd (if rev then argv[2] else argv[3])
                let! count = options 4 -1L
                return struct (start, finish, count)
            }

        match args with
        | Error e -> Outcome.error e s w
        | Ok(struct (start, finish, count)) ->
            match getStream ctx.NowMs argv[1] (World.db s.Db w) with
            | Error e -> Outcome.error e s w
            | Ok ValueNone -> Outcome.reply (RespValue.Array [||]) s w |> keymissWhen ctx true argv[1]
            | Ok(ValueSome _) when count = 0L -> Outcome.reply RespValue.NullArray s w
            | Ok(ValueSome st) ->
                Outcome.reply (entriesReply (RedisStream.range start finish (countLimit count) rev st)) s w

// XRANGE key start end [COUNT count]
let xrange: Handler = rangeGeneric false

// XREVRANGE key end start [COUNT count]
let xrevrange: Handler = rangeGeneric true

// XDEL key id [id ...]: the key is looked up before the IDs are read (all of them, before any goes).
let xdel: Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w

        match getStream ctx.NowMs argv[1] db with
        | Error e -> Outcome.error e s w
        | Ok ValueNone -> Outcome.reply (RespValue.Integer 0L) s w
        | Ok(ValueSome st) ->
            let ids = Array.zeroCreate (argv.Length - 2)
            let mutable error = ValueNone
            let mutable j = 2

            while error.IsNone && j < argv.Length do
                match readStrictId 0UL argv[j] with
                | Ok id -> ids[j - 2] <- id
                | Error e -> error <- ValueSome e

                j <- j + 1

            match error with
            | ValueSome e -> Outcome.error e s w
            | ValueNone ->
                let struct (st, removed) = RedisStream.delete db.Owner ids st

                if removed = 0 then
                    Outcome.reply (RespValue.Integer 0L) s w
                else
                    let db = storeStream ctx.NowMs argv[1] st db

                    Outcome.reply (RespValue.Integer(int64 removed)) s (World.withDb s.Db db w)
                    |> Outcome.notify ctx NotifyClass.Stream "xdel" argv[1]

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]: the options are read before the key.
let xtrim: Handler =
    fun ctx s argv w ->
        match readAddTrimArgs argv false w.Config.StreamNodeMaxEntries with
        | Error e -> Outcome.error e s w
        | Ok a ->
            let db = World.db s.Db w

            match getStream ctx.NowMs argv[1] db with
            | Error e -> Outcome.error e s w
            | Ok ValueNone -> Outcome.reply (RespValue.Integer 0L) s w
            | Ok(ValueSome st) ->
                let struct (st, trimmed) = RedisStream.trim db.Owner a.Trim a.Approx a.Limit st

                if trimmed = 0L then
                    Outcome.reply (RespValue.Integer 0L) s w
                else
                    let db = storeStream ctx.NowMs argv[1] st db

                    Outcome.reply (RespValue.Integer trimmed) s (World.withDb s.Db db w)
                    |> Outcome.notify ctx NotifyClass.Stream "xtrim" argv[1]

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]: the options are read
// before the key; a stream with entries cannot go below its last entry or its length.
let xsetid: Handler =
    fun ctx s argv w ->
        let rec options j added maxDeleted (id: StreamId) =
            if j >= argv.Length then
                Ok(struct (id, added, maxDeleted))
            elif is "ENTRIESADDED" argv[j] && j + 1 < argv.Length then
                match readInt64 argv[j + 1] with
                | Error e -> Error e
                | Ok n when n < 0L -> Error RedisError.EntriesAddedNegative
                | Ok n -> options (j + 2) n maxDeleted id
            elif is "MAXDELETEDID" argv[j] && j + 1 < argv.Length then
                match readStrictId 0UL argv[j + 1] with
                | Error e -> Error e
                | Ok m when StreamId.compare id m < 0 -> Error RedisError.XsetidBelowMaxDeleted
                | Ok m -> options (j + 2) added m id
            else
                Error RedisError.Syntax

        let db = World.db s.Db w

        let checkedArgs =
            readStrictId 0UL argv[2]
            |> Result.bind (options 3 -1L StreamId.zero)
            |> Result.bind (fun args ->
                match getStream ctx.NowMs argv[1] db with
                | Error e -> Error e
                | Ok ValueNone -> Error RedisError.NoSuchKey
                | Ok(ValueSome st) -> Ok(struct (args, st)))

        match checkedArgs with
        | Error e -> Outcome.error e s w
        | Ok(struct (struct (id, added, maxDeleted), st)) ->
            let len = RedisStream.length st

            if len > 0 && StreamId.compare id (RedisStream.lastValidId st) < 0 then
                Outcome.error RedisError.XsetidBelowTop s w
            elif len > 0 && added <> -1L && int64 len > added then
                Outcome.error RedisError.XsetidEntriesAddedBelowLength s w
            else
                let st =
                    { st with
                        LastId = id
                        EntriesAdded = if added <> -1L then added else st.EntriesAdded
                        MaxDeletedId =
                            if StreamId.isZero maxDeleted then
                                st.MaxDeletedId
                            else
                                maxDeleted
                    }

                Outcome.ok s (World.withDb s.Db (storeStream ctx.NowMs argv[1] st db) w)
                |> Outcome.notify ctx NotifyClass.Stream "xsetid" argv[1]
