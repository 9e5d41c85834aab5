module CoolCache.Core.Tests.Values.RedisListTests

open Expecto
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Commands
open CoolCache.Core.Keyspace
open CoolCache.Core.Protocol
open CoolCache.Core.State
open CoolCache.Core.Values

let config =
    { FsCheckConfig.defaultConfig with
        maxTest = 200
        endSize = 200
    }

// ---- A naive model: an F# list of strings, Redis's rules written the plain way ----------------

let private b (s: string) = Bytes.ofString s

let private strs (xs: Bytes seq) =
    xs |> Seq.map Bytes.toString |> List.ofSeq

let private ofStrings (xs: string list) =
    xs |> List.map b |> Array.ofList |> RedisList.ofArray

let private contents (l: RedisList) = strs (RedisList.toArray l)

/// Elements are drawn from a small alphabet so that searches find matches.
let private elem (i: int) = [| "a"; "b"; "c"; "d" |][abs (i % 4)]

/// The position of a Redis index in a list of length n (negative from the tail), if inside.
let private modelPosition (n: int) (index: int64) =
    let i = if index < 0L then int64 n + index else index
    if i >= 0L && i < int64 n then Some(int i) else None

/// LRANGE as a filter: the elements whose position lies between the normalised bounds.
let private modelRange (xs: string list) (start: int64) (stop: int64) =
    let n = int64 xs.Length
    let s = if start < 0L then n + start else start
    let e = if stop < 0L then n + stop else stop

    xs
    |> List.indexed
    |> List.filter (fun (i, _) -> int64 i >= s && int64 i <= e)
    |> List.map snd

/// LREM: up to count matches from the head (count > 0), from the tail (< 0), all (0).
let private modelRemove (xs: string list) (count: int64) (x: string) =
    let all = count = 0L || count = System.Int64.MinValue

    let limit =
        if all then
            System.Int32.MaxValue
        else
            int (min (abs count) 1000L)

    let fromTail = count < 0L
    let ordered = if fromTail then List.rev xs else xs

    let rec go (acc: string list) (removed: int) (rest: string list) =
        match rest with
        | [] -> List.rev acc, removed
        | y :: ys when y = x && removed < limit -> go acc (removed + 1) ys
        | y :: ys -> go (y :: acc) removed ys

    let kept, removed = go [] 0 ordered
    (if fromTail then List.rev kept else kept), removed

type ListOp =
    | Push of left: bool * xs: int list
    | Pop of left: bool * count: int
    | SetAt of index: int * x: int
    | Insert of before: bool * pivot: int * x: int
    | Remove of count: int * x: int
    | Trim of start: int * stop: int

/// Redis indexes: small ones of both signs, sometimes the int64 extremes.
let private redisIndex (i: int) =
    match i % 17 with
    | 16 -> System.Int64.MaxValue
    | -16 -> System.Int64.MinValue
    | _ -> int64 (i % 12)

let private runModel (owner: obj) (ops: ListOp list) =
    let mutable model: string list = []
    let mutable l = RedisList.empty

    for op in ops do
        match op with
        | Push(left, xs) ->
            let xs = xs |> List.map elem
            let argv = Array.ofList (b "PUSH" :: b "key" :: List.map b xs)
            model <- if left then List.rev xs @ model else model @ xs
            l <- RedisList.push owner (if left then ListEnd.Left else ListEnd.Right) argv 2 l
        | Pop(left, count) ->
            let count = abs count % 6 + 1
            let k = min count model.Length

            let expected =
                if left then
                    List.take k model
                else
                    List.rev model |> List.take k

            let where = if left then ListEnd.Left else ListEnd.Right

            let struct (popped, rest) =
                if k = 1 && count % 2 = 1 then
                    // One element: the owned popOne (LPOP without a count).
                    let struct (x, rest) = RedisList.popOne owner where l
                    struct ([| x |], rest)
                else
                    RedisList.pop where (int64 count) l

            Expect.equal (strs popped) expected "popped elements, in pop order"

            model <-
                if left then
                    List.skip k model
                else
                    List.take (model.Length - k) model

            l <- rest
        | SetAt(index, x) ->
            let index = redisIndex index

            match modelPosition model.Length index, RedisList.trySet owner index (b (elem x)) l with
            | Some p, ValueSome l' ->
                model <- List.updateAt p (elem x) model
                l <- l'
            | None, ValueNone -> ()
            | _ -> failtest "trySet disagrees with the model about the index"
        | Insert(before, pivot, x) ->
            let pivot = elem pivot

            match List.tryFindIndex ((=) pivot) model, RedisList.tryInsert owner before (b pivot) (b (elem x)) l with
            | Some p, ValueSome l' ->
                model <- List.insertAt (if before then p else p + 1) (elem x) model
                l <- l'
            | None, ValueNone -> ()
            | _ -> failtest "tryInsert disagrees with the model about the pivot"
        | Remove(count, x) ->
            let count =
                if count % 9 = 8 then
                    System.Int64.MinValue
                else
                    int64 (count % 4)

            let kept, removed = modelRemove model count (elem x)
            let struct (n, l') = RedisList.remove owner count (b (elem x)) l
            Expect.equal n removed "removed count"

            if n = 0 then
                Expect.isTrue (obj.ReferenceEquals(l, l')) "nothing removed: the same list"

            model <- kept
            l <- l'
        | Trim(start, stop) ->
            let start, stop = redisIndex start, redisIndex stop
            model <- modelRange model start stop
            l <- RedisList.trim start stop l

        Expect.equal (contents l) model "contents"
        Expect.equal (RedisList.length l) model.Length "length"
        Expect.isTrue (Tree.isValid l) "the tree stays balanced"

        for i in -3 .. 3 do
            let expected =
                modelPosition model.Length (int64 i) |> Option.map (fun p -> model[p])

            Expect.equal
                (RedisList.tryItem (int64 i) l
                 |> ValueOption.map Bytes.toString
                 |> ValueOption.toOption)
                expected
                "tryItem"

        for start, stop in [ 0L, -1L; 1L, 2L; -2L, -1L; -100L, 100L; 3L, 1L; System.Int64.MinValue, 0L ] do
            let struct (first, count) = RedisList.range start stop l
            Expect.equal (strs (RedisList.slice first count l)) (modelRange model start stop) "range"

let private scanProperty (xs: int list) (fromTail: bool) (maxVisit: byte) (x: int) =
    let model = xs |> List.map elem
    let l = ofStrings model
    let x = elem x
    let n = model.Length

    let limit =
        if maxVisit = 0uy || int maxVisit > n then
            n
        else
            int maxVisit

    let visited =
        if fromTail then
            [ n - 1 .. -1 .. n - limit ]
        else
            [ 0 .. limit - 1 ]

    let expected = visited |> List.filter (fun i -> model[i] = x)
    let got = ResizeArray()

    l
    |> RedisList.scan fromTail (int64 maxVisit) (b x) (fun i ->
        got.Add i
        true)

    Expect.equal (List.ofSeq got) expected "matching positions in visiting order"

    // Stopping early: onMatch returning false ends the scan.
    let first = ResizeArray()

    l
    |> RedisList.scan fromTail (int64 maxVisit) (b x) (fun i ->
        first.Add i
        false)

    Expect.equal (List.ofSeq first) (List.truncate 1 expected) "stops at the first match"

let modelTests =
    testList
        "matches a list model"
        [
            testPropertyWithConfig
                config
                "push, pop, set, insert, remove and trim, checked after every step"
                (runModel null)
            testPropertyWithConfig config "the same with owned (in-place) edits" (fun (ops: ListOp list) ->
                runModel (obj ()) ops)
            testPropertyWithConfig config "scan visits the matches from either end within maxVisit" scanProperty
            test "remove on a long list: few matches one by one, many by a rebuild, owned or not" {
                let model =
                    [
                        for i in 0..999 ->
                            if i % 100 = 7 then "x"
                            elif i % 3 = 0 then "y"
                            else "z"
                    ]

                for owner in [ null; obj () ] do
                    for count, x in [ 2L, "x"; -3L, "x"; 0L, "x"; 0L, "y"; -50L, "y"; 10L, "z" ] do
                        let l = ofStrings model
                        let kept, removed = modelRemove model count x
                        let struct (n, l') = RedisList.remove owner count (b x) l
                        Expect.equal n removed $"removed {count} {x}"
                        Expect.equal (contents l') kept $"contents after {count} {x}"
                        Expect.isTrue (Tree.isValid l') "balanced"
            }
            testPropertyWithConfig config "range follows LRANGE's rules for any bounds" (fun (xs: int list) ->
                let model = xs |> List.map elem
                let l = ofStrings model

                for start in
                    [
                        System.Int64.MinValue
                        -20L
                        -3L
                        -1L
                        0L
                        1L
                        5L
                        20L
                        System.Int64.MaxValue
                    ] do
                    for stop in
                        [
                            System.Int64.MinValue
                            -20L
                            -3L
                            -1L
                            0L
                            1L
                            5L
                            20L
                            System.Int64.MaxValue
                        ] do
                        let struct (first, count) = RedisList.range start stop l
                        Expect.equal (strs (RedisList.slice first count l)) (modelRange model start stop) "range")
        ]

// ---- Commands, end to end through the engine --------------------------------------------------

let private host = CoolCache.Core.Tests.TestHost.none

let private ctx =
    {
        NowMs = 1000L
        NowUs = 1000000L
        Seed = 1UL
        Host = host
        IsLocal = true
        Events = false
    }

/// A client over a live World: run commands, see replies as RESP text.
type private Client(proto: int) =
    let mutable world = World.create Config.defaults
    let session = Api.NewSession 1L

    member _.World
        with get () = world
        and set w = world <- w

    /// The reply in RESP (2 or 3), as Latin-1 text.
    member _.Run(argv: string list) =
        let r =
            Api.Execute(ctx, session, argv |> List.map Bytes.ofString |> Array.ofList, world)

        world <- r.World
        Bytes.toLatin1 (RespWriter.toBytes proto r.Reply)

    member this.Runs(commands: string list list) =
        for c in commands do
            this.Run c |> ignore

let private bulkArray (xs: string list) =
    sprintf "*%d\r\n" xs.Length
    + (xs |> List.map (fun x -> sprintf "$%d\r\n%s\r\n" x.Length x) |> String.concat "")

let exampleTests =
    testList
        "commands"
        [
            test "LPUSH a b c leaves c first and replies the new length" {
                let c = Client 2
                Expect.equal (c.Run [ "LPUSH"; "k"; "a"; "b"; "c" ]) ":3\r\n" "length"
                Expect.equal (c.Run [ "LRANGE"; "k"; "0"; "-1" ]) (bulkArray [ "c"; "b"; "a" ]) "order"
            }
            test "RPUSH of many elements at once appends them in order" {
                let c = Client 2
                let xs = [ for i in 1..20 -> string i ]
                c.Run [ "RPUSH"; "k"; "x" ] |> ignore
                Expect.equal (c.Run([ "RPUSH"; "k" ] @ xs)) ":21\r\n" "length"
                Expect.equal (c.Run [ "LRANGE"; "k"; "0"; "-1" ]) (bulkArray ("x" :: xs)) "order"
                Expect.equal (c.Run([ "LPUSH"; "k" ] @ xs)) ":41\r\n" "length after LPUSH"
                Expect.equal (c.Run [ "LRANGE"; "k"; "0"; "2" ]) (bulkArray [ "20"; "19"; "18" ]) "LPUSH reverses"
            }
            test "LPUSHX and RPUSHX do nothing to a missing key" {
                let c = Client 2
                Expect.equal (c.Run [ "LPUSHX"; "k"; "a" ]) ":0\r\n" "LPUSHX"
                Expect.equal (c.Run [ "RPUSHX"; "k"; "a" ]) ":0\r\n" "RPUSHX"
                Expect.equal (c.Run [ "EXISTS"; "k" ]) ":0\r\n" "not created"
            }
            test "LPOP without a count replies a bulk string, nil when the key is missing" {
                let c = Client 2
                c.Run [ "RPUSH"; "k"; "a"; "b" ] |> ignore
                Expect.equal (c.Run [ "LPOP"; "k" ]) "$1\r\na\r\n" "bulk"
                Expect.equal (c.Run [ "LPOP"; "nokey" ]) "$-1\r\n" "nil"
            }
            test "LPOP with a count on a missing key replies a null array (RESP2 *-1, RESP3 _)" {
                Expect.equal ((Client 2).Run [ "LPOP"; "nokey"; "2" ]) "*-1\r\n" "RESP2"
                Expect.equal ((Client 3).Run [ "RPOP"; "nokey"; "2" ]) "_\r\n" "RESP3"
                Expect.equal ((Client 3).Run [ "LPOP"; "nokey" ]) "_\r\n" "RESP3 without count"
            }
            test "LPOP with count 0 replies an empty array for a list, a null array for a missing key" {
                let c = Client 2
                c.Run [ "RPUSH"; "k"; "a" ] |> ignore
                Expect.equal (c.Run [ "LPOP"; "k"; "0" ]) "*0\r\n" "empty array"
                Expect.equal (c.Run [ "LPOP"; "nokey"; "0" ]) "*-1\r\n" "null array"
            }
            test "RPOP with a count pops from the tail, last element first, and a list emptied is deleted" {
                let c = Client 2
                c.Run [ "RPUSH"; "k"; "a"; "b"; "c" ] |> ignore
                Expect.equal (c.Run [ "RPOP"; "k"; "2" ]) (bulkArray [ "c"; "b" ]) "tail first"
                Expect.equal (c.Run [ "RPOP"; "k"; "5" ]) (bulkArray [ "a" ]) "what is left"
                Expect.equal (c.Run [ "EXISTS"; "k" ]) ":0\r\n" "deleted"
            }
            test "LPOP's count must be a non-negative integer, and it takes at most one" {
                let c = Client 2
                let err = "-ERR value is out of range, must be positive\r\n"
                Expect.equal (c.Run [ "LPOP"; "k"; "-1" ]) err "negative"
                Expect.equal (c.Run [ "LPOP"; "k"; "abc" ]) err "not a number"

                Expect.equal
                    (c.Run [ "LPOP"; "k"; "1"; "2" ])
                    "-ERR wrong number of arguments for 'lpop' command\r\n"
                    "arity"
            }
            test "list commands on a string reply WRONGTYPE, and string commands on a list too" {
                let c = Client 2
                c.Runs [ [ "SET"; "s"; "x" ]; [ "RPUSH"; "l"; "a" ] ]

                let wrongType =
                    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"

                for cmd in
                    [
                        [ "LPUSH"; "s"; "a" ]
                        [ "LPOP"; "s" ]
                        [ "LLEN"; "s" ]
                        [ "LRANGE"; "s"; "0"; "1" ]
                        [ "LINDEX"; "s"; "x" ]
                        [ "LMOVE"; "l"; "s"; "LEFT"; "LEFT" ]
                        [ "GET"; "l" ]
                        [ "APPEND"; "l"; "x" ]
                        [ "INCR"; "l" ]
                    ] do
                    Expect.equal (c.Run cmd) wrongType (String.concat " " cmd)

                Expect.equal (c.Run [ "LRANGE"; "l"; "0"; "-1" ]) (bulkArray [ "a" ]) "the list is untouched"
                Expect.equal (c.Run [ "TYPE"; "l" ]) "+list\r\n" "TYPE"
                Expect.equal (c.Run [ "OBJECT"; "ENCODING"; "l" ]) "$9\r\nquicklist\r\n" "OBJECT ENCODING"
                Expect.equal (c.Run [ "MGET"; "l"; "s" ]) "*2\r\n$-1\r\n$1\r\nx\r\n" "MGET: nil for a list"
            }
            test "LRANGE, LTRIM and LREM read their integers before the key; LINDEX and LSET after it" {
                let c = Client 2
                c.Run [ "SET"; "s"; "x" ] |> ignore
                let notInt = "-ERR value is not an integer or out of range\r\n"

                let wrongType =
                    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"

                Expect.equal (c.Run [ "LRANGE"; "s"; "a"; "0" ]) notInt "LRANGE"
                Expect.equal (c.Run [ "LTRIM"; "nokey"; "0"; "a" ]) notInt "LTRIM"
                Expect.equal (c.Run [ "LREM"; "nokey"; "a"; "x" ]) notInt "LREM"
                Expect.equal (c.Run [ "LINDEX"; "s"; "a" ]) wrongType "LINDEX"
                Expect.equal (c.Run [ "LINDEX"; "nokey"; "a" ]) "$-1\r\n" "LINDEX of a missing key"
                Expect.equal (c.Run [ "LSET"; "nokey"; "a"; "x" ]) "-ERR no such key\r\n" "LSET of a missing key"
            }
            test "LINDEX and LSET count negative indexes from the tail; LSET outside is an error" {
                let c = Client 2
                c.Run [ "RPUSH"; "k"; "a"; "b"; "c" ] |> ignore
                Expect.equal (c.Run [ "LINDEX"; "k"; "-1" ]) "$1\r\nc\r\n" "last"
                Expect.equal (c.Run [ "LINDEX"; "k"; "3" ]) "$-1\r\n" "past the end"
                Expect.equal (c.Run [ "LSET"; "k"; "-3"; "A" ]) "+OK\r\n" "first from the tail"
                Expect.equal (c.Run [ "LSET"; "k"; "3"; "x" ]) "-ERR index out of range\r\n" "outside"
                Expect.equal (c.Run [ "LRANGE"; "k"; "0"; "-1" ]) (bulkArray [ "A"; "b"; "c" ]) "contents"
            }
            test "LINSERT inserts at the first pivot, replies -1 without one and 0 for a missing key" {
                let c = Client 2
                c.Run [ "RPUSH"; "k"; "a"; "b"; "a" ] |> ignore
                Expect.equal (c.Run [ "LINSERT"; "k"; "after"; "a"; "x" ]) ":4\r\n" "after"
                Expect.equal (c.Run [ "LINSERT"; "k"; "BEFORE"; "a"; "y" ]) ":5\r\n" "before"
                Expect.equal (c.Run [ "LINSERT"; "k"; "BEFORE"; "z"; "y" ]) ":-1\r\n" "no pivot"
                Expect.equal (c.Run [ "LINSERT"; "nokey"; "BEFORE"; "z"; "y" ]) ":0\r\n" "missing key"
                Expect.equal (c.Run [ "LINSERT"; "k"; "AROUND"; "z"; "y" ]) "-ERR syntax error\r\n" "syntax"

                Expect.equal (c.Run [ "LRANGE"; "k"; "0"; "-1" ]) (bulkArray [ "y"; "a"; "x"; "b"; "a" ]) "contents"
            }
            test "LREM removes from the head, from the tail or all; -9223372036854775808 removes all" {
                let c = Client 2
                c.Run [ "RPUSH"; "k"; "a"; "b"; "a"; "c"; "a"; "a" ] |> ignore
                Expect.equal (c.Run [ "LREM"; "k"; "1"; "a" ]) ":1\r\n" "one from the head"
                Expect.equal (c.Run [ "LREM"; "k"; "-2"; "a" ]) ":2\r\n" "two from the tail"
                Expect.equal (c.Run [ "LRANGE"; "k"; "0"; "-1" ]) (bulkArray [ "b"; "a"; "c" ]) "contents"
                c.Run [ "RPUSH"; "k"; "a"; "a" ] |> ignore
                Expect.equal (c.Run [ "LREM"; "k"; "-9223372036854775808"; "a" ]) ":3\r\n" "all"
                Expect.equal (c.Run [ "LREM"; "k"; "0"; "b" ]) ":1\r\n" "count 0: all"
                Expect.equal (c.Run [ "LREM"; "k"; "0"; "c" ]) ":1\r\n" "the last element"
                Expect.equal (c.Run [ "EXISTS"; "k" ]) ":0\r\n" "emptied: deleted"
            }
            test "LTRIM keeps a range and deletes the key when the range is empty" {
                let c = Client 2
                c.Run [ "RPUSH"; "k"; "a"; "b"; "c"; "d" ] |> ignore
                Expect.equal (c.Run [ "LTRIM"; "k"; "1"; "-2" ]) "+OK\r\n" "trim"
                Expect.equal (c.Run [ "LRANGE"; "k"; "0"; "-1" ]) (bulkArray [ "b"; "c" ]) "kept"
                Expect.equal (c.Run [ "LTRIM"; "k"; "2"; "1" ]) "+OK\r\n" "empty range"
                Expect.equal (c.Run [ "EXISTS"; "k" ]) ":0\r\n" "deleted"
                Expect.equal (c.Run [ "LTRIM"; "nokey"; "0"; "1" ]) "+OK\r\n" "missing key"
            }
            test "LPOS finds by rank, count and maxlen, from either end" {
                let c = Client 2
                c.Run [ "RPUSH"; "k"; "a"; "a"; "b"; "a"; "c"; "a" ] |> ignore
                Expect.equal (c.Run [ "LPOS"; "k"; "a" ]) ":0\r\n" "first"
                Expect.equal (c.Run [ "LPOS"; "k"; "a"; "RANK"; "-1" ]) ":5\r\n" "last"
                Expect.equal (c.Run [ "LPOS"; "k"; "a"; "RANK"; "2"; "COUNT"; "2" ]) "*2\r\n:1\r\n:3\r\n" "rank 2"
                Expect.equal (c.Run [ "LPOS"; "k"; "a"; "COUNT"; "0"; "MAXLEN"; "3" ]) "*2\r\n:0\r\n:1\r\n" "maxlen"
                Expect.equal (c.Run [ "LPOS"; "k"; "z" ]) "$-1\r\n" "no match: nil"
                Expect.equal (c.Run [ "LPOS"; "k"; "z"; "COUNT"; "1" ]) "*0\r\n" "no match with COUNT: empty"
                Expect.equal (c.Run [ "LPOS"; "nokey"; "z"; "COUNT"; "1" ]) "*0\r\n" "missing key with COUNT"
                // Redis negates the rank; Int64.MinValue overflows: every match from the tail, COUNT ignored.
                Expect.equal
                    (c.Run [ "LPOS"; "k"; "a"; "RANK"; "-9223372036854775808"; "COUNT"; "1" ])
                    "*4\r\n:5\r\n:3\r\n:1\r\n:0\r\n"
                    "rank Int64.MinValue"
            }
            test "LPOS checks its options before the key, with Redis's texts" {
                let c = Client 2
                c.Run [ "SET"; "s"; "x" ] |> ignore

                Expect.equal
                    (c.Run [ "LPOS"; "s"; "a"; "RANK"; "0" ])
                    "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"
                    "rank 0"

                Expect.equal (c.Run [ "LPOS"; "s"; "a"; "COUNT"; "x" ]) "-ERR COUNT can't be negative\r\n" "count"
                Expect.equal (c.Run [ "LPOS"; "s"; "a"; "MAXLEN"; "-1" ]) "-ERR MAXLEN can't be negative\r\n" "maxlen"
                Expect.equal (c.Run [ "LPOS"; "s"; "a"; "RANK" ]) "-ERR syntax error\r\n" "dangling option"

                Expect.equal
                    (c.Run [ "LPOS"; "s"; "a" ])
                    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
                    "then the type"
            }
            test "LMOVE of a list onto itself rotates it, and RPOPLPUSH moves tail to head" {
                let c = Client 2
                c.Run [ "RPUSH"; "k"; "a"; "b"; "c" ] |> ignore
                Expect.equal (c.Run [ "LMOVE"; "k"; "k"; "LEFT"; "RIGHT" ]) "$1\r\na\r\n" "moved"
                Expect.equal (c.Run [ "LRANGE"; "k"; "0"; "-1" ]) (bulkArray [ "b"; "c"; "a" ]) "rotated"
                Expect.equal (c.Run [ "RPOPLPUSH"; "k"; "d" ]) "$1\r\na\r\n" "moved"
                Expect.equal (c.Run [ "LRANGE"; "d"; "0"; "-1" ]) (bulkArray [ "a" ]) "destination created"
                Expect.equal (c.Run [ "RPOPLPUSH"; "d"; "k" ]) "$1\r\na\r\n" "back"
                Expect.equal (c.Run [ "EXISTS"; "d" ]) ":0\r\n" "emptied source deleted"
                Expect.equal (c.Run [ "LMOVE"; "nokey"; "k"; "LEFT"; "LEFT" ]) "$-1\r\n" "missing source: nil"
                Expect.equal (c.Run [ "LMOVE"; "k"; "k"; "UP"; "LEFT" ]) "-ERR syntax error\r\n" "syntax"
            }
            test "LMOVE to a string is WRONGTYPE and leaves both keys as they were" {
                let c = Client 2
                c.Runs [ [ "RPUSH"; "k"; "a" ]; [ "SET"; "s"; "x" ] ]

                Expect.equal
                    (c.Run [ "LMOVE"; "k"; "s"; "LEFT"; "LEFT" ])
                    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
                    "error"

                Expect.equal (c.Run [ "LRANGE"; "k"; "0"; "-1" ]) (bulkArray [ "a" ]) "source untouched"
                Expect.equal (c.Run [ "GET"; "s" ]) "$1\r\nx\r\n" "destination untouched"
            }
            test "LMPOP pops from the first non-empty list and replies [key, elements]" {
                let c = Client 2
                c.Runs [ [ "RPUSH"; "b"; "1"; "2"; "3" ]; [ "SET"; "s"; "x" ] ]

                Expect.equal
                    (c.Run [ "LMPOP"; "3"; "a"; "b"; "s"; "RIGHT"; "COUNT"; "2" ])
                    "*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n"
                    "from b"

                Expect.equal (c.Run [ "LMPOP"; "1"; "a"; "LEFT" ]) "*-1\r\n" "nothing: null array"

                Expect.equal
                    (c.Run [ "LMPOP"; "2"; "s"; "b"; "LEFT" ])
                    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
                    "a string first"

                Expect.equal (c.Run [ "LMPOP"; "0"; "b"; "LEFT" ]) "-ERR numkeys should be greater than 0\r\n" "numkeys"
                Expect.equal (c.Run [ "LMPOP"; "2"; "b"; "LEFT" ]) "-ERR syntax error\r\n" "numkeys too big"

                Expect.equal
                    (c.Run [ "LMPOP"; "1"; "b"; "LEFT"; "COUNT"; "0" ])
                    "-ERR count should be greater than 0\r\n"
                    "count"

                Expect.equal
                    (c.Run [ "LMPOP"; "1"; "b"; "LEFT"; "COUNT"; "1"; "COUNT"; "1" ])
                    "-ERR syntax error\r\n"
                    "count twice"

                Expect.equal ((Client 3).Run [ "LMPOP"; "1"; "a"; "LEFT" ]) "_\r\n" "RESP3 null"
            }
            test "writing a list keeps the key's time to live" {
                let c = Client 2

                c.Runs
                    [
                        [ "RPUSH"; "k"; "a" ]
                        [ "EXPIRE"; "k"; "100" ]
                        [ "RPUSH"; "k"; "b" ]
                        [ "LPOP"; "k" ]
                    ]

                Expect.equal (c.Run [ "TTL"; "k" ]) ":100\r\n" "TTL kept"
            }
            test "a COPY of a list changes independently of the original" {
                let c = Client 2

                c.Runs
                    [
                        [ "RPUSH"; "k"; "a"; "b" ]
                        [ "COPY"; "k"; "k2" ]
                        [ "RPUSH"; "k2"; "c" ]
                        [ "LPOP"; "k" ]
                    ]

                Expect.equal (c.Run [ "LRANGE"; "k"; "0"; "-1" ]) (bulkArray [ "b" ]) "original"
                Expect.equal (c.Run [ "LRANGE"; "k2"; "0"; "-1" ]) (bulkArray [ "a"; "b"; "c" ]) "copy"
            }
            test "a frozen World keeps its lists while the live one is written" {
                let c = Client 2
                c.Run [ "RPUSH"; "k"; "a"; "b" ] |> ignore
                let struct (frozen, live) = World.freeze c.World
                c.World <- live
                c.Runs [ [ "RPUSH"; "k"; "c" ]; [ "LSET"; "k"; "0"; "z" ]; [ "LPOP"; "k" ] ]

                match Db.tryGet 0L (Bytes.ofString "k") (World.db 0 frozen) with
                | ValueSome(Value.List l) -> Expect.equal (contents l) [ "a"; "b" ] "frozen"
                | _ -> failtest "the frozen World lost its list"
            }
            test "100,000 pushes, then LINDEX, LRANGE and LTRIM in the middle" {
                let c = Client 2

                for i in 0..99999 do
                    c.Run [ (if i % 2 = 0 then "RPUSH" else "LPUSH"); "k"; string i ] |> ignore

                Expect.equal (c.Run [ "LLEN"; "k" ]) ":100000\r\n" "length"
                // LPUSH of odd i: 99999 ... 3 1, then RPUSH of even i: 0 2 4 ...
                Expect.equal (c.Run [ "LINDEX"; "k"; "50000" ]) "$1\r\n0\r\n" "middle"
                Expect.equal (c.Run [ "LRANGE"; "k"; "49999"; "50001" ]) (bulkArray [ "1"; "0"; "2" ]) "range"
                Expect.equal (c.Run [ "LTRIM"; "k"; "50000"; "-1" ]) "+OK\r\n" "trim"
                Expect.equal (c.Run [ "LPOP"; "k"; "2" ]) (bulkArray [ "0"; "2" ]) "front after trim"
            }
        ]

let apiTests =
    testList
        "generic pop and move (for the blocking commands)"
        [
            test "popGeneric, mpopGeneric and moveGeneric give ValueNone for missing keys and WRONGTYPE for strings" {
                let db =
                    Db.empty
                    |> Db.set 0L (b "s") (Value.String(b "x")) Ttl.Clear
                    |> Db.set 0L (b "l") (Value.List(ofStrings [ "a"; "b" ])) Ttl.Clear

                let isNone r =
                    match r with
                    | Ok ValueNone -> true
                    | _ -> false

                let isWrongType r =
                    match r with
                    | Error RedisError.WrongType -> true
                    | _ -> false

                Expect.isTrue (isNone (ListCommands.popGeneric 0L (b "x") ListEnd.Left 1L db)) "pop missing"
                Expect.isTrue (isWrongType (ListCommands.popGeneric 0L (b "s") ListEnd.Left 1L db)) "pop string"

                Expect.isTrue
                    (isNone (ListCommands.mpopGeneric 0L [| b "x"; b "y" |] 0 2 ListEnd.Left 1L db))
                    "mpop missing"

                Expect.isTrue
                    (isNone (ListCommands.moveGeneric 0L (b "x") (b "s") ListEnd.Left ListEnd.Left db))
                    "move from missing: the destination is not looked at"

                Expect.isTrue
                    (isWrongType (ListCommands.moveGeneric 0L (b "l") (b "s") ListEnd.Left ListEnd.Left db))
                    "move to a string"

                match ListCommands.mpopGeneric 0L [| b "x"; b "l" |] 0 2 ListEnd.Right 5L db with
                | Ok(ValueSome(struct (key, xs, db'))) ->
                    Expect.equal (Bytes.toString key, strs xs) ("l", [ "b"; "a" ]) "popped"
                    Expect.isFalse (Db.exists 0L (b "l") db') "emptied list deleted"
                    Expect.isTrue (Db.exists 0L (b "l") db) "the persistent Db before is unchanged"
                | _ -> failtest "mpop of an existing list"
            }
        ]

let tests = testList "Values.RedisList" [ modelTests; exampleTests; apiTests ]
