/// Lazy expiry with keyspace events (db.c expireIfNeeded, called by every key lookup): when someone
/// listens (Ctx.Events), the keys a command names that are past their deadline are removed before it
/// runs, and each tells "expired" (x) where Redis's lookup of it would have: before the command's first
/// event about that key, or, when it has none, after the events of the keys named before it. Without
/// listeners nothing changes: reads treat such keys as absent and active expiry removes them.
///
/// Known difference: Redis looks some keys up before it touches earlier ones (SMOVE looks up its
/// destination before it removes from the source), so an expired SMOVE destination's "expired" comes
/// after the source's events here. Keys that are not in the command's key spec (SORT's BY/GET keys, the
/// sources of ZUNIONSTORE...) are left to active expiry; the handlers of COPY/MOVE into another database
/// and SORT STORE tell "expired" for a destination they overwrite. The key spec is read in the session's
/// database, so COPY src dst DB n also removes an expired dst of the session's database (Redis would
/// tell that one later).
module CoolCache.Core.Commands.LazyExpiry

open CoolCache.Core
open CoolCache.Core.Keyspace
open CoolCache.Core.State

/// The positions in argv of the keys spec names (arity already checked).
let keyPositions (spec: CommandSpec) (argv: Bytes[]) : int list =
    match spec.Keys with
    | KeySpec.NoKeys -> []
    | KeySpec.Range(first, last, step) ->
        let last = if last < 0 then argv.Length + last else last
        [ first..step .. min last (argv.Length - 1) ]
    | KeySpec.Numkeys index ->
        match Numbers.tryParseInt64 argv[index] with
        | ValueSome n when n >= 1L && n <= int64 (argv.Length - index - 1) -> [ index + 1 .. index + int n ]
        | _ -> []
    | KeySpec.Keyword keyword ->
        // XREAD ... STREAMS key [key ...] id [id ...]: the first half of what follows the keyword
        match Array.tryFindIndex (fun (a: Bytes) -> Bytes.equalsToken a keyword) argv[1..] with
        | Some i ->
            let first = i + 2
            let rest = argv.Length - first

            if rest > 0 && rest % 2 = 0 then
                [ first .. first + rest / 2 - 1 ]
            else
                []
        | None -> []

/// The keys of argv in the session's database that are past their deadline at now, with the position
/// of their first mention, in argv order.
let private expiredKeys (now: int64) (db: Db) (argv: Bytes[]) (positions: int list) =
    let seen = System.Collections.Generic.HashSet<Bytes>(BytesComparer.Instance)

    positions
    |> List.filter (fun i ->
        seen.Add argv[i]
        && (match Db.deadline argv[i] db with
            | ValueSome at -> Db.expiresBy now at db && db.Keys.ContainsKey argv[i]
            | ValueNone -> false))

/// Where each "expired" event goes among the command's effects (see the module comment).
let private merge (dbIndex: int) (argv: Bytes[]) (expired: int list) (effects: Effect list) : Effect list =
    let effects = Array.ofList effects

    let about (key: Bytes) (e: Effect) =
        match e with
        | Effect.Notify n -> n.Db = dbIndex && Bytes.equals n.Key key
        | _ -> false

    let firstMention (key: Bytes) =
        Array.findIndex (fun (k: Bytes) -> Bytes.equals k key) argv

    let insertions =
        expired
        |> List.map (fun pos ->
            let key = argv[pos]

            let at =
                match Array.tryFindIndex (about key) effects with
                | Some i -> i
                | None ->
                    // After the last event about a key named before this one.
                    let earlier (e: Effect) =
                        match e with
                        | Effect.Notify n when n.Db = dbIndex ->
                            match Array.tryFindIndex (fun (k: Bytes) -> Bytes.equals k n.Key) argv with
                            | Some p -> p < firstMention key
                            | None -> false
                        | _ -> false

                    match Array.tryFindIndexBack earlier effects with
                    | Some i -> i + 1
                    | None -> 0

            at,
            Effect.Notify
                {
                    Class = NotifyClass.Expired
                    Event = "expired"
                    Db = dbIndex
                    Key = key
                })

    [
        for i in 0 .. effects.Length do
            for at, e in insertions do
                if at = i then
                    yield e

            if i < effects.Length then
                yield effects[i]
    ]

/// Run handler for spec (with what it propagates), first removing the keys it names that are past their
/// deadline, with their "expired" events when ctx.Events is set and a DEL each when the World propagates
/// (db.c deleteExpiredKeyAndPropagate), when the session's database has deadlines at all.
let run (ctx: Ctx) (spec: CommandSpec) (s: Session) (argv: Bytes[]) (w: World) : Outcome =
    let db = World.db s.Db w

    if (not ctx.Events && not w.Propagating) || db.Expires.IsEmpty then
        Propagation.run spec ctx s argv w
    else
        match expiredKeys ctx.NowMs db argv (keyPositions spec argv) with
        | [] -> Propagation.run spec ctx s argv w
        | expired ->
            let cleaned = expired |> List.fold (fun d i -> Db.remove argv[i] d) db
            // Removing what has already expired is not a change of the data set: Dirty stays.
            let dirty = w.Dirty
            let w = World.withDb s.Db cleaned w
            w.Dirty <- dirty
            let o = Propagation.run spec ctx s argv w

            let effects =
                if ctx.Events then
                    merge s.Db argv expired o.Effects
                else
                    o.Effects

            let effects =
                if w.Propagating then
                    (expired
                     |> List.map (fun i -> Effect.Propagate(s.Db, [| Bytes.ofLatin1 "DEL"; argv[i] |])))
                    @ effects
                else
                    effects

            { o with Effects = effects }
