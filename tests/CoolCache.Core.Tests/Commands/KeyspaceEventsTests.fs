/// The keyspace events the commands emit (Effect.Notify, with Ctx.Events on): which, in which order,
/// with which class, as Redis 7.0 sends them (the differential keyspace-event test checks the same
/// against a real redis-server on generated sequences). Also lazy expiry (LazyExpiry) and active expiry
/// (Engine.expireWithEvents).
module CoolCache.Core.Tests.Commands.KeyspaceEventsTests

open Expecto
open CoolCache.Core
open CoolCache.Core.Commands
open CoolCache.Core.State

let private b (s: string) = Bytes.ofLatin1 s
let private str (m: Bytes) = Bytes.toLatin1 m

let private now = 1_000_000_000L

let private ctxAt (nowMs: int64) (events: bool) : Ctx =
    {
        NowMs = nowMs
        NowUs = nowMs * 1000L
        Seed = 7UL
        Host = CoolCache.Core.Tests.TestHost.none
        IsLocal = true
        Events = events
    }

/// The class each event belongs to (notify.c callers).
let private classOf (event: string) =
    match event with
    | "new" -> NotifyClass.New
    | "keymiss" -> NotifyClass.KeyMiss
    | "expired" -> NotifyClass.Expired
    | "set"
    | "append"
    | "setrange"
    | "incrby"
    | "incrbyfloat" -> NotifyClass.String
    | "lpush"
    | "rpush"
    | "lpop"
    | "rpop"
    | "lset"
    | "linsert"
    | "lrem"
    | "ltrim"
    | "sortstore" -> NotifyClass.List
    | "hset"
    | "hdel"
    | "hincrby"
    | "hincrbyfloat" -> NotifyClass.Hash
    | "sadd"
    | "srem"
    | "spop"
    | "sinterstore"
    | "sunionstore"
    | "sdiffstore" -> NotifyClass.Set
    | e when e.StartsWith "z" -> NotifyClass.SortedSet
    | _ -> NotifyClass.Generic

/// An event as the tests read it: "event key", with "@db" when not database 0.
let private show (e: KeyEvent) =
    Expect.equal e.Class (classOf e.Event) $"class of {e.Event}"

    if e.Db = 0 then
        $"{e.Event} {str e.Key}"
    else
        $"{e.Event} {str e.Key}@{e.Db}"

let private notifications (effects: Effect[]) =
    effects
    |> Array.choose (fun e ->
        match e with
        | Effect.Notify n -> Some(show n)
        | _ -> None)
    |> List.ofArray

/// Runs one command at nowMs; the state after, the reply and the events.
let private step (nowMs: int64) (events: bool) (w: World, s: Session) (argv: string list) =
    let r = Api.Execute(ctxAt nowMs events, s, argv |> List.map b |> Array.ofList, w)
    (r.World, r.Session), r.Reply, r

/// The state after the setup commands (run without listeners).
let private setup (cmds: string list list) =
    cmds
    |> List.fold
        (fun st c ->
            let st, _, _ = step now false st c
            st)
        (World.create Config.defaults, Api.NewSession 1L)

/// The events of cmd after setup.
let private eventsAt (nowMs: int64) (cmds: string list list) (cmd: string list) =
    let _, _, r = step nowMs true (setup cmds) cmd
    notifications r.Effects

let private events (cmds: string list list) (cmd: string list) = eventsAt now cmds cmd

let private expectEvents (cmds: string list list) (cmd: string list) (expected: string list) =
    Expect.equal (events cmds cmd) expected (String.concat " " cmd)

let private strings =
    testList
        "strings"
        [
            test "SET tells new then set for a new key, set alone for an existing one" {
                expectEvents [] [ "SET"; "k"; "v" ] [ "new k"; "set k" ]
                expectEvents [ [ "SET"; "k"; "v" ] ] [ "SET"; "k"; "w" ] [ "set k" ]
            }
            test "SET with a time tells set then expire; SETEX too; KEEPTTL tells no expire" {
                expectEvents [] [ "SET"; "k"; "v"; "EX"; "100" ] [ "new k"; "set k"; "expire k" ]
                expectEvents [] [ "SETEX"; "k"; "100"; "v" ] [ "new k"; "set k"; "expire k" ]
                expectEvents [ [ "SET"; "k"; "v"; "EX"; "9" ] ] [ "SET"; "k"; "v"; "KEEPTTL" ] [ "set k" ]
            }
            test "SET GET of a missing key tells keymiss before new and set, even when XX then refuses" {
                expectEvents [] [ "SET"; "k"; "v"; "GET" ] [ "keymiss k"; "new k"; "set k" ]
                expectEvents [] [ "SET"; "k"; "v"; "XX"; "GET" ] [ "keymiss k" ]
                expectEvents [] [ "GETSET"; "k"; "v" ] [ "keymiss k"; "new k"; "set k" ]
            }
            test "SET NX on an existing key and SETNX of one tell nothing" {
                expectEvents [ [ "SET"; "k"; "v" ] ] [ "SET"; "k"; "w"; "NX" ] []
                expectEvents [ [ "SET"; "k"; "v" ] ] [ "SETNX"; "k"; "w" ] []
            }
            test "MSET tells new and set key by key, and new only once for a key given twice" {
                expectEvents
                    [ [ "SET"; "b"; "1" ] ]
                    [ "MSET"; "a"; "1"; "b"; "2"; "a"; "3" ]
                    [ "new a"; "set a"; "set b"; "set a" ]

                expectEvents [ [ "SET"; "b"; "1" ] ] [ "MSETNX"; "a"; "1"; "b"; "2" ] []
                expectEvents [] [ "MSETNX"; "a"; "1"; "c"; "2" ] [ "new a"; "set a"; "new c"; "set c" ]
            }
            test "INCR, DECR, INCRBY and DECRBY all tell incrby; INCRBYFLOAT tells incrbyfloat" {
                expectEvents [] [ "INCR"; "n" ] [ "new n"; "incrby n" ]

                for c in [ [ "DECR"; "n" ]; [ "INCRBY"; "n"; "5" ]; [ "DECRBY"; "n"; "5" ] ] do
                    expectEvents [ [ "SET"; "n"; "1" ] ] c [ "incrby n" ]

                expectEvents [ [ "SET"; "n"; "1" ] ] [ "INCRBYFLOAT"; "n"; "1.5" ] [ "incrbyfloat n" ]
            }
            test "a failed INCR tells nothing" {
                expectEvents [ [ "SET"; "n"; "abc" ] ] [ "INCR"; "n" ] []
                expectEvents [ [ "RPUSH"; "n"; "a" ] ] [ "INCR"; "n" ] []
            }
            test "APPEND and SETRANGE tell their names; SETRANGE with an empty value tells nothing" {
                expectEvents [] [ "APPEND"; "k"; "x" ] [ "new k"; "append k" ]
                expectEvents [ [ "SET"; "k"; "" ] ] [ "SETRANGE"; "k"; "2"; "x" ] [ "setrange k" ]
                expectEvents [] [ "SETRANGE"; "k"; "2"; "x" ] [ "new k"; "setrange k" ]
                expectEvents [] [ "SETRANGE"; "k"; "2"; "" ] []
                expectEvents [ [ "SET"; "k"; "abc" ] ] [ "SETRANGE"; "k"; "2"; "" ] []
            }
            test "GETDEL tells del, or keymiss for a missing key" {
                expectEvents [ [ "SET"; "k"; "v" ] ] [ "GETDEL"; "k" ] [ "del k" ]
                expectEvents [] [ "GETDEL"; "k" ] [ "keymiss k" ]
            }
            test "GETEX tells expire, persist only when a deadline went, and del for a time already past" {
                expectEvents [ [ "SET"; "k"; "v" ] ] [ "GETEX"; "k"; "EX"; "100" ] [ "expire k" ]
                expectEvents [ [ "SET"; "k"; "v"; "EX"; "100" ] ] [ "GETEX"; "k"; "PERSIST" ] [ "persist k" ]
                expectEvents [ [ "SET"; "k"; "v" ] ] [ "GETEX"; "k"; "PERSIST" ] []
                expectEvents [ [ "SET"; "k"; "v" ] ] [ "GETEX"; "k"; "PXAT"; "1" ] [ "del k" ]
                expectEvents [ [ "SET"; "k"; "v" ] ] [ "GETEX"; "k" ] []
                expectEvents [] [ "GETEX"; "k"; "EX"; "-1" ] [ "keymiss k" ]
            }
            test "GET, STRLEN, GETRANGE and MGET tell keymiss for each missing key, not for one of another type" {
                expectEvents [] [ "GET"; "k" ] [ "keymiss k" ]
                expectEvents [] [ "STRLEN"; "k" ] [ "keymiss k" ]
                expectEvents [] [ "GETRANGE"; "k"; "0"; "1" ] [ "keymiss k" ]
                expectEvents [] [ "GETRANGE"; "k"; "x"; "1" ] []

                expectEvents
                    [ [ "SET"; "a"; "1" ]; [ "RPUSH"; "l"; "x" ] ]
                    [ "MGET"; "m"; "a"; "l"; "m" ]
                    [ "keymiss m"; "keymiss m" ]
            }
            test "LCS tells keymiss for both keys, also when it then fails" {
                expectEvents [] [ "LCS"; "a"; "b" ] [ "keymiss a"; "keymiss b" ]
                expectEvents [ [ "RPUSH"; "b"; "x" ] ] [ "LCS"; "a"; "b" ] [ "keymiss a" ]
                expectEvents [] [ "LCS"; "a"; "b"; "FOO" ] [ "keymiss a"; "keymiss b" ]
            }
        ]

let private keys =
    testList
        "keys"
        [
            test "DEL and UNLINK tell del for each key they deleted" {
                expectEvents
                    [ [ "SET"; "a"; "1" ]; [ "SET"; "b"; "1" ] ]
                    [ "DEL"; "a"; "x"; "b"; "a" ]
                    [ "del a"; "del b" ]

                expectEvents [ [ "SET"; "a"; "1" ] ] [ "UNLINK"; "a" ] [ "del a" ]
            }
            test "EXISTS, TOUCH, TYPE and TTL tell keymiss; OBJECT ENCODING does not" {
                expectEvents [ [ "SET"; "a"; "1" ] ] [ "EXISTS"; "x"; "a"; "y" ] [ "keymiss x"; "keymiss y" ]
                expectEvents [] [ "TOUCH"; "x" ] [ "keymiss x" ]
                expectEvents [] [ "TYPE"; "x" ] [ "keymiss x" ]

                for c in [ "TTL"; "PTTL"; "EXPIRETIME"; "PEXPIRETIME" ] do
                    expectEvents [] [ c; "x" ] [ "keymiss x" ]

                expectEvents [] [ "OBJECT"; "ENCODING"; "x" ] []
            }
            test "RENAME tells new, rename_from and rename_to, also over an existing key; to itself nothing" {
                expectEvents [ [ "SET"; "a"; "1" ] ] [ "RENAME"; "a"; "b" ] [ "new b"; "rename_from a"; "rename_to b" ]

                expectEvents
                    [ [ "SET"; "a"; "1" ]; [ "SET"; "b"; "1" ] ]
                    [ "RENAME"; "a"; "b" ]
                    [ "new b"; "rename_from a"; "rename_to b" ]

                expectEvents [ [ "SET"; "a"; "1" ] ] [ "RENAME"; "a"; "a" ] []
                expectEvents [ [ "SET"; "a"; "1" ]; [ "SET"; "b"; "1" ] ] [ "RENAMENX"; "a"; "b" ] []
                expectEvents [] [ "RENAME"; "a"; "b" ] []
            }
            test "MOVE tells new and move_to in the target database and move_from in the source" {
                expectEvents [ [ "SET"; "a"; "1" ] ] [ "MOVE"; "a"; "3" ] [ "new a@3"; "move_from a"; "move_to a@3" ]
                expectEvents [] [ "MOVE"; "a"; "3" ] []
            }
            test "COPY tells new and copy_to in the target database, also when replacing; of a missing key keymiss" {
                expectEvents [ [ "SET"; "a"; "1" ] ] [ "COPY"; "a"; "b" ] [ "new b"; "copy_to b" ]

                expectEvents
                    [ [ "SET"; "a"; "1" ]; [ "SET"; "b"; "1" ] ]
                    [ "COPY"; "a"; "b"; "REPLACE" ]
                    [ "new b"; "copy_to b" ]

                expectEvents [ [ "SET"; "a"; "1" ] ] [ "COPY"; "a"; "a"; "DB"; "2" ] [ "new a@2"; "copy_to a@2" ]
                expectEvents [ [ "SET"; "a"; "1" ]; [ "SET"; "b"; "1" ] ] [ "COPY"; "a"; "b" ] []
                expectEvents [] [ "COPY"; "a"; "b" ] [ "keymiss a" ]
            }
            test "EXPIRE tells expire, del for a time already past, nothing when refused or for a missing key" {
                expectEvents [ [ "SET"; "a"; "1" ] ] [ "EXPIRE"; "a"; "100" ] [ "expire a" ]
                expectEvents [ [ "SET"; "a"; "1" ] ] [ "PEXPIREAT"; "a"; "4102444800000" ] [ "expire a" ]
                expectEvents [ [ "SET"; "a"; "1" ] ] [ "EXPIRE"; "a"; "-1" ] [ "del a" ]
                expectEvents [ [ "SET"; "a"; "1" ] ] [ "EXPIREAT"; "a"; "1" ] [ "del a" ]
                expectEvents [ [ "SET"; "a"; "1"; "EX"; "5" ] ] [ "EXPIRE"; "a"; "100"; "NX" ] []
                expectEvents [] [ "EXPIRE"; "a"; "100" ] []
            }
            test "PERSIST tells persist only when it removed a deadline" {
                expectEvents [ [ "SET"; "a"; "1"; "EX"; "5" ] ] [ "PERSIST"; "a" ] [ "persist a" ]
                expectEvents [ [ "SET"; "a"; "1" ] ] [ "PERSIST"; "a" ] []
                expectEvents [] [ "PERSIST"; "a" ] []
            }
            test "FLUSHDB, FLUSHALL and SWAPDB tell nothing (Redis 7.0)" {
                expectEvents [ [ "SET"; "a"; "1" ] ] [ "FLUSHDB" ] []
                expectEvents [ [ "SET"; "a"; "1" ] ] [ "FLUSHALL" ] []
                expectEvents [ [ "SET"; "a"; "1" ] ] [ "SWAPDB"; "0"; "1" ] []
            }
        ]

let private lists =
    testList
        "lists"
        [
            test "LPUSH on a new key tells new then lpush; RPUSHX of a missing key nothing" {
                expectEvents [] [ "LPUSH"; "l"; "a"; "b" ] [ "new l"; "lpush l" ]
                expectEvents [ [ "RPUSH"; "l"; "a" ] ] [ "RPUSHX"; "l"; "b" ] [ "rpush l" ]
                expectEvents [] [ "RPUSHX"; "l"; "b" ] []
            }
            test "LPOP of the last elements tells lpop then del; of a missing key nothing" {
                expectEvents [ [ "RPUSH"; "l"; "a"; "b" ] ] [ "RPOP"; "l" ] [ "rpop l" ]
                expectEvents [ [ "RPUSH"; "l"; "a"; "b" ] ] [ "LPOP"; "l"; "5" ] [ "lpop l"; "del l" ]
                expectEvents [ [ "RPUSH"; "l"; "a" ] ] [ "LPOP"; "l"; "0" ] []
                expectEvents [] [ "LPOP"; "l" ] []
            }
            test "LMOVE tells the push into the destination before the pop from the source" {
                expectEvents
                    [ [ "RPUSH"; "s"; "a" ] ]
                    [ "LMOVE"; "s"; "d"; "LEFT"; "RIGHT" ]
                    [ "new d"; "rpush d"; "lpop s"; "del s" ]

                expectEvents [ [ "RPUSH"; "s"; "a"; "b" ] ] [ "RPOPLPUSH"; "s"; "s" ] [ "lpush s"; "rpop s" ]
                expectEvents [] [ "LMOVE"; "s"; "d"; "LEFT"; "RIGHT" ] []
            }
            test "LTRIM tells ltrim even when nothing is trimmed, and del when it empties the list" {
                expectEvents [ [ "RPUSH"; "l"; "a"; "b" ] ] [ "LTRIM"; "l"; "0"; "-1" ] [ "ltrim l" ]
                expectEvents [ [ "RPUSH"; "l"; "a"; "b" ] ] [ "LTRIM"; "l"; "1"; "0" ] [ "ltrim l"; "del l" ]
                expectEvents [] [ "LTRIM"; "l"; "0"; "1" ] []
            }
            test "LSET, LINSERT and LREM tell their names; LINSERT without the pivot nothing" {
                expectEvents [ [ "RPUSH"; "l"; "a" ] ] [ "LSET"; "l"; "0"; "b" ] [ "lset l" ]
                expectEvents [ [ "RPUSH"; "l"; "a" ] ] [ "LSET"; "l"; "5"; "b" ] []
                expectEvents [ [ "RPUSH"; "l"; "a" ] ] [ "LINSERT"; "l"; "BEFORE"; "a"; "b" ] [ "linsert l" ]
                expectEvents [ [ "RPUSH"; "l"; "a" ] ] [ "LINSERT"; "l"; "BEFORE"; "z"; "b" ] []
                expectEvents [ [ "RPUSH"; "l"; "a"; "b" ] ] [ "LREM"; "l"; "0"; "a" ] [ "lrem l" ]
                expectEvents [ [ "RPUSH"; "l"; "a" ] ] [ "LREM"; "l"; "0"; "a" ] [ "lrem l"; "del l" ]
            }
            test "LLEN, LRANGE, LINDEX and LPOS tell keymiss for a missing key" {
                for c in
                    [
                        [ "LLEN"; "l" ]
                        [ "LRANGE"; "l"; "0"; "1" ]
                        [ "LINDEX"; "l"; "x" ]
                        [ "LPOS"; "l"; "a" ]
                    ] do
                    expectEvents [] c [ "keymiss l" ]
            }
            test "BLPOP and BLMPOP that find an element tell the pop; a BLPOP that waits tells nothing" {
                expectEvents [ [ "RPUSH"; "b"; "x" ] ] [ "BLPOP"; "a"; "b"; "0" ] [ "lpop b"; "del b" ]
                expectEvents [ [ "RPUSH"; "b"; "x"; "y" ] ] [ "BLMPOP"; "0"; "1"; "b"; "RIGHT" ] [ "rpop b" ]

                expectEvents
                    [ [ "RPUSH"; "s"; "x" ] ]
                    [ "BLMOVE"; "s"; "d"; "RIGHT"; "LEFT"; "0" ]
                    [ "new d"; "lpush d"; "rpop s"; "del s" ]

                expectEvents [] [ "BLPOP"; "a"; "0" ] []
            }
        ]

let private hashes =
    testList
        "hashes"
        [
            test "HSET tells hset even when no field is new; HSETNX of an existing field nothing" {
                expectEvents [] [ "HSET"; "h"; "f"; "1" ] [ "new h"; "hset h" ]
                expectEvents [ [ "HSET"; "h"; "f"; "1" ] ] [ "HSET"; "h"; "f"; "1" ] [ "hset h" ]
                expectEvents [ [ "HSET"; "h"; "f"; "1" ] ] [ "HMSET"; "h"; "g"; "1" ] [ "hset h" ]
                expectEvents [ [ "HSET"; "h"; "f"; "1" ] ] [ "HSETNX"; "h"; "f"; "2" ] []
                expectEvents [] [ "HSETNX"; "h"; "f"; "2" ] [ "new h"; "hset h" ]
            }
            test "HDEL tells hdel then del when the hash empties, nothing when no field went" {
                expectEvents [ [ "HSET"; "h"; "f"; "1"; "g"; "2" ] ] [ "HDEL"; "h"; "f" ] [ "hdel h" ]
                expectEvents [ [ "HSET"; "h"; "f"; "1" ] ] [ "HDEL"; "h"; "f"; "x" ] [ "hdel h"; "del h" ]
                expectEvents [ [ "HSET"; "h"; "f"; "1" ] ] [ "HDEL"; "h"; "x" ] []
            }
            test "HINCRBY and HINCRBYFLOAT tell their names; a refused increment nothing" {
                expectEvents [] [ "HINCRBY"; "h"; "f"; "1" ] [ "new h"; "hincrby h" ]
                expectEvents [ [ "HSET"; "h"; "f"; "1" ] ] [ "HINCRBYFLOAT"; "h"; "f"; "1.5" ] [ "hincrbyfloat h" ]
                expectEvents [ [ "HSET"; "h"; "f"; "x" ] ] [ "HINCRBY"; "h"; "f"; "1" ] []
            }
            test "the hash reads tell keymiss for a missing key" {
                for c in
                    [
                        [ "HGET"; "h"; "f" ]
                        [ "HMGET"; "h"; "f"; "g" ]
                        [ "HLEN"; "h" ]
                        [ "HGETALL"; "h" ]
                        [ "HRANDFIELD"; "h"; "2" ]
                        [ "HSCAN"; "h"; "0" ]
                    ] do
                    expectEvents [] c [ "keymiss h" ]
            }
        ]

let private sets =
    testList
        "sets"
        [
            test "SADD tells new and sadd; of members already there nothing" {
                expectEvents [] [ "SADD"; "s"; "a" ] [ "new s"; "sadd s" ]
                expectEvents [ [ "SADD"; "s"; "a" ] ] [ "SADD"; "s"; "a" ] []
            }
            test "SREM and SPOP tell their names, then del when the set empties" {
                expectEvents [ [ "SADD"; "s"; "a"; "b" ] ] [ "SREM"; "s"; "a" ] [ "srem s" ]
                expectEvents [ [ "SADD"; "s"; "a" ] ] [ "SREM"; "s"; "a" ] [ "srem s"; "del s" ]
                expectEvents [ [ "SADD"; "s"; "a" ] ] [ "SPOP"; "s" ] [ "spop s"; "del s" ]
                expectEvents [ [ "SADD"; "s"; "a"; "b" ] ] [ "SPOP"; "s"; "10" ] [ "spop s"; "del s" ]
                expectEvents [ [ "SADD"; "s"; "a" ] ] [ "SPOP"; "s"; "0" ] []
            }
            test "SMOVE tells srem (and del) on the source, then new and sadd on the destination" {
                expectEvents
                    [ [ "SADD"; "s"; "a" ] ]
                    [ "SMOVE"; "s"; "d"; "a" ]
                    [ "srem s"; "del s"; "new d"; "sadd d" ]

                expectEvents [ [ "SADD"; "s"; "a"; "b" ]; [ "SADD"; "d"; "a" ] ] [ "SMOVE"; "s"; "d"; "a" ] [ "srem s" ]
                expectEvents [ [ "SADD"; "s"; "a" ] ] [ "SMOVE"; "s"; "s"; "a" ] []
            }
            test "SINTERSTORE tells keymiss for missing sources, then new and sinterstore, or del for an empty result" {
                expectEvents
                    [ [ "SADD"; "a"; "1" ] ]
                    [ "SUNIONSTORE"; "d"; "a"; "m" ]
                    [ "keymiss m"; "new d"; "sunionstore d" ]

                expectEvents
                    [ [ "SADD"; "a"; "1" ]; [ "SET"; "d"; "x" ] ]
                    [ "SINTERSTORE"; "d"; "a"; "m" ]
                    [ "keymiss m"; "del d" ]

                expectEvents [ [ "SADD"; "a"; "1" ] ] [ "SINTERSTORE"; "d"; "a"; "m" ] [ "keymiss m" ]
                expectEvents [ [ "SADD"; "a"; "1" ]; [ "SADD"; "d"; "1" ] ] [ "SDIFFSTORE"; "d"; "a"; "d" ] [ "del d" ]
            }
            test "SINTER tells keymiss for the missing keys before the one of another type" {
                expectEvents [ [ "SET"; "x"; "1" ] ] [ "SINTER"; "m"; "x"; "n" ] [ "keymiss m" ]
                expectEvents [] [ "SMEMBERS"; "m" ] [ "keymiss m" ]
                expectEvents [ [ "SET"; "x"; "1" ] ] [ "SINTERCARD"; "3"; "m"; "n"; "x" ] [ "keymiss m"; "keymiss n" ]
                expectEvents [] [ "SINTERCARD"; "3"; "m"; "n" ] []
            }
        ]

let private sortedSets =
    testList
        "sorted sets"
        [
            test "ZADD tells zadd only when a member was added or changed; ZINCRBY tells zincr" {
                expectEvents [] [ "ZADD"; "z"; "1"; "a" ] [ "new z"; "zadd z" ]
                expectEvents [ [ "ZADD"; "z"; "1"; "a" ] ] [ "ZADD"; "z"; "1"; "a" ] []
                expectEvents [ [ "ZADD"; "z"; "1"; "a" ] ] [ "ZADD"; "z"; "2"; "a" ] [ "zadd z" ]
                expectEvents [ [ "ZADD"; "z"; "1"; "a" ] ] [ "ZADD"; "z"; "GT"; "0"; "a" ] []
                expectEvents [] [ "ZADD"; "z"; "XX"; "1"; "a" ] []
                expectEvents [ [ "ZADD"; "z"; "1"; "a" ] ] [ "ZINCRBY"; "z"; "2"; "a" ] [ "zincr z" ]
                expectEvents [ [ "ZADD"; "z"; "1"; "a" ] ] [ "ZINCRBY"; "z"; "0"; "a" ] []
            }
            test "ZREM and ZREMRANGEBY* tell their names, then del when the set empties" {
                expectEvents [ [ "ZADD"; "z"; "1"; "a"; "2"; "b" ] ] [ "ZREM"; "z"; "a" ] [ "zrem z" ]

                expectEvents
                    [ [ "ZADD"; "z"; "1"; "a"; "2"; "b" ] ]
                    [ "ZREMRANGEBYSCORE"; "z"; "0"; "5" ]
                    [ "zremrangebyscore z"; "del z" ]

                expectEvents [ [ "ZADD"; "z"; "1"; "a" ] ] [ "ZREMRANGEBYRANK"; "z"; "5"; "6" ] []

                expectEvents
                    [ [ "ZADD"; "z"; "0"; "a"; "0"; "b" ] ]
                    [ "ZREMRANGEBYLEX"; "z"; "-"; "[a" ]
                    [ "zremrangebylex z" ]
            }
            test "the pops tell zpopmin or zpopmax, then del when the set empties" {
                expectEvents [ [ "ZADD"; "z"; "1"; "a"; "2"; "b" ] ] [ "ZPOPMAX"; "z" ] [ "zpopmax z" ]
                expectEvents [ [ "ZADD"; "z"; "1"; "a" ] ] [ "BZPOPMIN"; "z"; "0" ] [ "zpopmin z"; "del z" ]

                expectEvents
                    [ [ "ZADD"; "z"; "1"; "a" ] ]
                    [ "ZMPOP"; "1"; "z"; "MAX"; "COUNT"; "5" ]
                    [ "zpopmax z"; "del z" ]

                expectEvents [ [ "ZADD"; "z"; "1"; "a" ] ] [ "ZPOPMIN"; "z"; "0" ] []
            }
            test "ZUNIONSTORE tells keymiss for missing inputs, then new and zunionstore, or del for an empty result" {
                expectEvents
                    [ [ "ZADD"; "a"; "1"; "x" ] ]
                    [ "ZUNIONSTORE"; "d"; "2"; "m"; "a" ]
                    [ "keymiss m"; "new d"; "zunionstore d" ]

                expectEvents
                    [ [ "ZADD"; "a"; "1"; "x" ]; [ "SET"; "d"; "v" ] ]
                    [ "ZINTERSTORE"; "d"; "2"; "m"; "a" ]
                    [ "keymiss m"; "del d" ]

                expectEvents [ [ "ZADD"; "a"; "1"; "x" ] ] [ "ZDIFFSTORE"; "d"; "1"; "a" ] [ "new d"; "zdiffstore d" ]
            }
            test "ZUNION and ZINTERCARD tell keymiss for missing inputs, also when an option is then refused" {
                expectEvents [] [ "ZUNION"; "2"; "m"; "n" ] [ "keymiss m"; "keymiss n" ]
                expectEvents [ [ "SET"; "x"; "1" ] ] [ "ZINTER"; "3"; "m"; "x"; "n" ] [ "keymiss m" ]
                expectEvents [] [ "ZINTERCARD"; "2"; "m"; "n"; "LIMIT"; "-1" ] [ "keymiss m"; "keymiss n" ]
                expectEvents [] [ "ZUNION"; "3"; "m"; "n" ] []
            }
            test "ZRANGESTORE of a missing source tells keymiss, then del of an existing destination" {
                expectEvents [ [ "SET"; "d"; "v" ] ] [ "ZRANGESTORE"; "d"; "m"; "0"; "-1" ] [ "keymiss m"; "del d" ]

                expectEvents
                    [ [ "ZADD"; "z"; "1"; "a" ] ]
                    [ "ZRANGESTORE"; "d"; "z"; "0"; "-1" ]
                    [ "new d"; "zrangestore d" ]
            }
            test "the sorted set reads tell keymiss for a missing key" {
                for c in
                    [
                        [ "ZCARD"; "z" ]
                        [ "ZSCORE"; "z"; "a" ]
                        [ "ZMSCORE"; "z"; "a" ]
                        [ "ZRANK"; "z"; "a" ]
                        [ "ZCOUNT"; "z"; "0"; "1" ]
                        [ "ZLEXCOUNT"; "z"; "-"; "+" ]
                        [ "ZRANGE"; "z"; "0"; "1" ]
                        [ "ZRANGEBYSCORE"; "z"; "0"; "1" ]
                        [ "ZRANDMEMBER"; "z" ]
                        [ "ZSCAN"; "z"; "0" ]
                    ] do
                    expectEvents [] c [ "keymiss z" ]
            }
        ]

let private sort =
    testList
        "SORT"
        [
            test "SORT BY tells keymiss for each missing weight key in the list's order, GET for each missing value" {
                expectEvents
                    [ [ "RPUSH"; "l"; "3"; "1"; "2" ]; [ "SET"; "w_1"; "5" ] ]
                    [ "SORT"; "l"; "BY"; "w_*"; "GET"; "h_*" ]
                    [ "keymiss w_3"; "keymiss w_2"; "keymiss h_2"; "keymiss h_3"; "keymiss h_1" ]

                expectEvents [ [ "RPUSH"; "l"; "3"; "1" ] ] [ "SORT_RO"; "l"; "BY"; "nosort"; "GET"; "#" ] []
                expectEvents [] [ "SORT"; "l" ] [ "keymiss l" ]
            }
            test "SORT BY tells its misses also when a weight is then not a number" {
                expectEvents
                    [ [ "RPUSH"; "l"; "a"; "b" ]; [ "SET"; "w_a"; "x" ] ]
                    [ "SORT"; "l"; "BY"; "w_*" ]
                    [ "keymiss w_b" ]
            }
            test "SORT STORE tells new and sortstore, or del when nothing replaces an existing destination" {
                expectEvents [ [ "RPUSH"; "l"; "2"; "1" ] ] [ "SORT"; "l"; "STORE"; "d" ] [ "new d"; "sortstore d" ]
                expectEvents [ [ "SET"; "d"; "x" ] ] [ "SORT"; "l"; "STORE"; "d" ] [ "keymiss l"; "del d" ]
                expectEvents [] [ "SORT"; "l"; "STORE"; "d" ] [ "keymiss l" ]
            }
        ]

let private later = now + 10_000L

let private expiry =
    testList
        "expiry"
        [
            test "a write to a key past its deadline tells expired first, then creates it anew" {
                let cmds = [ [ "SET"; "k"; "v"; "PX"; "100" ] ]
                Expect.equal (eventsAt later cmds [ "SET"; "k"; "w" ]) [ "expired k"; "new k"; "set k" ] "SET"
                Expect.equal (eventsAt later cmds [ "LPUSH"; "k"; "a" ]) [ "expired k"; "new k"; "lpush k" ] "LPUSH"
                Expect.equal (eventsAt later cmds [ "DEL"; "k" ]) [ "expired k" ] "DEL"
                Expect.equal (eventsAt later cmds [ "RENAME"; "k"; "x" ]) [ "expired k" ] "RENAME fails"
            }
            test "a read of a key past its deadline tells expired then keymiss" {
                let cmds = [ [ "SET"; "k"; "v"; "PX"; "100" ] ]
                Expect.equal (eventsAt later cmds [ "GET"; "k" ]) [ "expired k"; "keymiss k" ] "GET"
                Expect.equal (eventsAt later cmds [ "OBJECT"; "ENCODING"; "k" ]) [ "expired k" ] "OBJECT"
            }
            test "a multi-key command tells expired where its lookup of that key comes" {
                let cmds =
                    [
                        [ "SET"; "e"; "v"; "PX"; "100" ]
                        [ "SET"; "f"; "v"; "PX"; "100" ]
                        [ "SET"; "a"; "1" ]
                    ]

                Expect.equal
                    (eventsAt later cmds [ "MGET"; "m"; "e"; "a"; "e" ])
                    [ "keymiss m"; "expired e"; "keymiss e"; "keymiss e" ]
                    "MGET"

                Expect.equal
                    (eventsAt later cmds [ "MSET"; "e"; "1"; "f"; "2" ])
                    [ "expired e"; "new e"; "set e"; "expired f"; "new f"; "set f" ]
                    "MSET"

                Expect.equal (eventsAt later cmds [ "DEL"; "a"; "e" ]) [ "del a"; "expired e" ] "DEL"
            }
            test "a key past its deadline is removed by the first command that names it, once" {
                let st = setup [ [ "SET"; "k"; "v"; "PX"; "100" ] ]
                let st, _, r1 = step later true st [ "EXISTS"; "k" ]
                let _, _, r2 = step later true st [ "EXISTS"; "k" ]
                Expect.equal (notifications r1.Effects) [ "expired k"; "keymiss k" ] "first"
                Expect.equal (notifications r2.Effects) [ "keymiss k" ] "then a plain miss"
            }
            test "without listeners a key past its deadline stays for active expiry and nothing is told" {
                let st = setup [ [ "SET"; "k"; "v"; "PX"; "100" ] ]
                let (w, _), reply, r = step later false st [ "GET"; "k" ]
                Expect.equal reply Protocol.RespValue.Null "absent"
                Expect.isEmpty r.Effects "no effects"
                Expect.equal (Keyspace.Db.count (World.db 0 w)) 1 "still stored"
            }
            test "SORT STORE of nothing over a destination past its deadline tells del, as Redis's dbDelete does" {
                Expect.equal
                    (eventsAt later [ [ "SET"; "d"; "x"; "PX"; "100" ] ] [ "SORT"; "l"; "STORE"; "d" ])
                    [ "keymiss l"; "del d" ]
                    "SORT STORE"
            }
            test "COPY and MOVE into another database, and SORT STORE, tell expired for a destination past its deadline" {
                let cmds =
                    [
                        [ "SET"; "a"; "1" ]
                        [ "RPUSH"; "l"; "1" ]
                        [ "SELECT"; "1" ]
                        [ "SET"; "d"; "x"; "PX"; "100" ]
                        [ "SET"; "a"; "x"; "PX"; "100" ]
                        [ "SELECT"; "0" ]
                    ]

                Expect.equal
                    (eventsAt later cmds [ "COPY"; "a"; "d"; "DB"; "1" ])
                    [ "expired d@1"; "new d@1"; "copy_to d@1" ]
                    "COPY DB"

                Expect.equal
                    (eventsAt later cmds [ "MOVE"; "a"; "1" ])
                    [ "expired a@1"; "new a@1"; "move_from a"; "move_to a@1" ]
                    "MOVE"

                Expect.equal
                    (eventsAt later (cmds @ [ [ "SET"; "d"; "x"; "PX"; "100" ] ]) [ "SORT"; "l"; "STORE"; "d" ])
                    [ "expired d"; "new d"; "sortstore d" ]
                    "SORT STORE"
            }
            test "active expiry tells expired for each key it removes, database by database" {
                let w, _ =
                    setup
                        [
                            [ "SET"; "a"; "v"; "PX"; "100" ]
                            [ "SELECT"; "2" ]
                            [ "SET"; "b"; "v"; "PX"; "50" ]
                            [ "SET"; "c"; "v" ]
                        ]

                let mutable events = [||]
                let w = Api.ExpireWithEvents(later, 100, w, &events)
                Expect.equal (events |> Array.map show |> List.ofArray) [ "expired a"; "expired b@2" ] "events"
                Expect.equal (Keyspace.Db.count (World.db 2 w)) 1 "c stays"
            }
        ]

let private quiet =
    testList
        "without listeners"
        [
            test "no command adds a Notify effect when Ctx.Events is off" {
                let cmds =
                    [
                        [ "SET"; "k"; "v"; "EX"; "100" ]
                        [ "GET"; "nokey" ]
                        [ "RPUSH"; "l"; "a" ]
                        [ "LPOP"; "l" ]
                        [ "HSET"; "h"; "f"; "1" ]
                        [ "SADD"; "s"; "a" ]
                        [ "SINTERSTORE"; "d"; "s"; "m" ]
                        [ "ZADD"; "z"; "1"; "a" ]
                        [ "ZUNIONSTORE"; "d"; "2"; "z"; "m" ]
                        [ "SORT"; "l"; "BY"; "w_*"; "STORE"; "d" ]
                        [ "RENAME"; "k"; "k2" ]
                        [ "MOVE"; "k2"; "1" ]
                        [ "DEL"; "h"; "s" ]
                    ]

                cmds
                |> List.fold
                    (fun st c ->
                        let st, _, r = step now false st c
                        Expect.isEmpty r.Effects (String.concat " " c)
                        st)
                    (World.create Config.defaults, Api.NewSession 1L)
                |> ignore
            }
        ]

let tests =
    testList "KeyspaceEvents" [ strings; keys; lists; hashes; sets; sortedSets; sort; expiry; quiet ]
