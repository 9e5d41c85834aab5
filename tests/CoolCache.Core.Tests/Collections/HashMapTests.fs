module CoolCache.Core.Tests.Collections.HashMapTests

open System.Collections.Generic
open Expecto
open CoolCache.Core
open CoolCache.Core.Collections

/// Deliberately terrible hashes: force collision nodes and long single-child paths.
type StupidHash(hash: int -> int) =
    interface IEqualityComparer<int> with
        member _.Equals(a, b) = a = b
        member _.GetHashCode k = hash k

/// Equality by a key but no ordering available for collision groups.
type Opaque =
    | Opaque of int

    override this.ToString() =
        let (Opaque i) = this
        string i

type OpaqueHash() =
    interface IEqualityComparer<Opaque> with
        member _.Equals(Opaque a, Opaque b) = a = b
        member _.GetHashCode(Opaque k) = k % 3

type Op =
    | Put of key: int * value: int
    | Del of key: int
    | Change of key: int * value: int option

let config =
    { FsCheckConfig.defaultConfig with
        maxTest = 150
        endSize = 200
    }

let keyOf (range: int) (k: int) = abs (k % range)

let comparers: (string * IEqualityComparer<int>) list =
    [
        "default", EqualityComparer<int>.Default
        "hash = key % 4", StupidHash(fun k -> k % 4)
        "constant hash", StupidHash(fun _ -> 42)
        "high bits only", StupidHash(fun k -> k <<< 29)
        "low bits only", StupidHash(fun k -> k &&& 0x3FF)
    ]

let entries (m: HashMap<'K, 'V>) = m.ToSeq() |> Seq.toList

let keysOf (m: HashMap<'K, 'V>) =
    m.ToSeq() |> Seq.map (fun (struct (k, _)) -> k) |> Seq.toList

let positions (m: HashMap<'K, 'V>) =
    m.ToSeq()
    |> Seq.map (fun (struct (k, _)) -> HashMap.position m.Comparer k)
    |> Seq.toList

/// Full check of a map against a Dictionary model.
let checkAgainst (model: Dictionary<'K, 'V>) (touched: 'K seq) (m: HashMap<'K, 'V>) =
    Expect.equal m.Count model.Count "Count"
    Expect.equal m.IsEmpty (model.Count = 0) "IsEmpty"

    for k in touched do
        match model.TryGetValue k with
        | true, v -> Expect.equal (m.TryFind k) (ValueSome v) "TryFind of a present key"
        | _ -> Expect.equal (m.TryFind k) ValueNone "TryFind of an absent key"

        Expect.equal (m.ContainsKey k) (model.ContainsKey k) "ContainsKey"

    let seen = HashSet<'K>(model.Comparer)

    for struct (k, v) in m.ToSeq() do
        Expect.isTrue (seen.Add k) "ToSeq yields each key once"
        Expect.isTrue (model.ContainsKey k) "ToSeq yields only present keys"
        Expect.equal v model[k] "ToSeq value"

    Expect.equal seen.Count model.Count "ToSeq yields every key"
    let ps = positions m
    Expect.equal ps (List.sort ps) "ToSeq is in ascending position order"
    Expect.equal (HashMap.fold (fun n _ _ -> n + 1) 0 m) model.Count "fold visits every entry"

/// Runs ops on a HashMap and a Dictionary side by side, checking after every step.
let runModel (cmp: IEqualityComparer<'K>) (mkKey: int -> 'K) (ops: Op list) =
    let model = Dictionary<'K, int>(cmp)
    let touched = HashSet<'K>(cmp)
    let mutable m = HashMap.empty<'K, int> cmp

    for op in ops do
        match op with
        | Put(k, v) ->
            let k = mkKey k
            touched.Add k |> ignore
            model[k] <- v
            m <- m.Add(k, v)
        | Del k ->
            let k = mkKey k
            touched.Add k |> ignore
            model.Remove k |> ignore
            m <- m.Remove k
        | Change(k, v) ->
            let k = mkKey k
            touched.Add k |> ignore

            let f =
                function
                | ValueSome old when v.IsSome -> ValueSome(old + v.Value)
                | ValueNone when v.IsSome -> ValueSome v.Value
                | _ -> ValueNone

            let next =
                f (
                    match model.TryGetValue k with
                    | true, x -> ValueSome x
                    | _ -> ValueNone
                )

            match next with
            | ValueSome x -> model[k] <- x
            | ValueNone -> model.Remove k |> ignore

            m <- HashMap.change k f m

        checkAgainst model touched m

let bytesKey (i: int) = Bytes.ofString (sprintf "key:%d" i)

/// Drains a scan with the given per-step counts (cycled), calling `between` before each step after the first.
let scanAll (counts: int list) (between: int -> unit) (current: unit -> HashMap<'K, 'V>) =
    let counts = if counts.IsEmpty then [ 1 ] else counts
    let out = ResizeArray()
    let mutable cursor = 0UL
    let mutable step = 0
    let mutable fin = false

    while not fin do
        if step > 0 then
            between step

        let struct (next, batch) =
            HashMap.scan cursor (counts[step % counts.Length]) (current ())

        out.AddRange batch
        step <- step + 1
        Expect.isLessThan step 100000 "scan terminates"

        if next = 0UL then fin <- true else cursor <- next

    out |> Seq.map (fun (struct (k, _)) -> k) |> Seq.toList

/// The cursors of a scan one entry at a time (they reflect the trie's shape).
let scanSteps (m: HashMap<'K, 'V>) =
    let steps = ResizeArray()
    let mutable cursor = 0UL
    let mutable fin = false

    while not fin do
        let struct (next, batch) = HashMap.scan cursor 1 m
        steps.Add(next, batch.Length)
        fin <- next = 0UL
        cursor <- next

    List.ofSeq steps

let modelTests =
    testList
        "matches a Dictionary model"
        [
            for name, cmp in comparers do
                testPropertyWithConfig config $"after every add/remove/change step with {name}" (fun (ops: Op list) ->
                    runModel cmp (keyOf 64) ops)
            testPropertyWithConfig config "after every step with byte[] keys and BytesComparer" (fun (ops: Op list) ->
                runModel BytesComparer.Instance (keyOf 200 >> bytesKey) ops)
            testPropertyWithConfig config "after every step with string keys" (fun (ops: Op list) ->
                runModel System.StringComparer.Ordinal (keyOf 100 >> string) ops)
            testPropertyWithConfig config "after every step with unorderable colliding keys" (fun (ops: Op list) ->
                runModel (OpaqueHash()) (keyOf 30 >> Opaque) ops)
            test "for 20,000 keys added and half removed" {
                for name, cmp in [ comparers[0]; comparers[1] ] do
                    let model = Dictionary<int, int>(cmp)
                    let mutable m = HashMap.empty cmp

                    for i in 0..19999 do
                        model[i] <- i
                        m <- m.Add(i, i)

                    for i in 0..2..19999 do
                        model.Remove i |> ignore
                        m <- m.Remove i

                    checkAgainst model (seq { 0..19999 }) m
                    Expect.equal m.Count 10000 name
            }
        ]


let persistenceTests =
    testList
        "persistence"
        [
            testPropertyWithConfig config "old versions are unchanged by later updates" (fun (ops: Op list) ->
                for _, cmp in comparers do
                    let model = Dictionary<int, int>(cmp)
                    let mutable m = HashMap.empty cmp
                    let versions = ResizeArray()

                    for op in ops do
                        match op with
                        | Put(k, v) ->
                            let k = keyOf 40 k
                            model[k] <- v
                            m <- m.Add(k, v)
                        | Del k
                        | Change(k, None) ->
                            let k = keyOf 40 k
                            model.Remove k |> ignore
                            m <- m.Remove k
                        | Change(k, Some v) ->
                            let k = keyOf 40 k
                            model[k] <- v
                            m <- HashMap.change k (fun _ -> ValueSome v) m

                        versions.Add(m, Dictionary(model, cmp))

                    for v, snapshot in versions do
                        checkAgainst snapshot (seq { 0..39 }) v)
            testPropertyWithConfig
                config
                "remove of an absent key returns the same map"
                (fun (keys: int list) (absent: int) ->
                    for _, cmp in comparers do
                        let keys = keys |> List.map (keyOf 100)
                        let absent = 100 + keyOf 100 absent

                        let m =
                            keys
                            |> List.fold (fun (m: HashMap<int, int>) k -> m.Add(k, k)) (HashMap.empty cmp)

                        Expect.isTrue (obj.ReferenceEquals(m.Remove absent, m)) "same instance"
                        let e = HashMap.empty<int, int> cmp
                        Expect.isTrue (obj.ReferenceEquals(e.Remove absent, e)) "same empty instance")
            test "change returning ValueNone for an absent key returns the same map" {
                let m = HashMap.empty<int, int> EqualityComparer.Default |> HashMap.add 1 1
                Expect.isTrue (obj.ReferenceEquals(HashMap.change 2 (fun _ -> ValueNone) m, m)) "same instance"
            }
        ]

let canonicalTests =
    testList
        "canonical form"
        [
            testPropertyWithConfig config "the same key set in any insertion and deletion order iterates the same"
            <| fun (keys: int list) (extra: int list) (seed: int) ->
                for name, cmp in comparers do
                    let keys = keys |> List.map (keyOf 500) |> List.distinct
                    let extra = extra |> List.map (fun k -> 500 + keyOf 500 k) |> List.distinct

                    let a =
                        keys
                        |> List.fold (fun (m: HashMap<int, int>) k -> m.Add(k, k)) (HashMap.empty cmp)

                    let rnd = System.Random seed
                    let shuffled = (keys @ extra) |> List.sortBy (fun _ -> rnd.Next())

                    let b =
                        shuffled
                        |> List.fold (fun (m: HashMap<int, int>) k -> m.Add(k, k)) (HashMap.empty cmp)

                    let b =
                        extra
                        |> List.sortBy (fun _ -> rnd.Next())
                        |> List.fold (fun (m: HashMap<int, int>) k -> m.Remove k) b

                    let c = HashMap.ofSeq cmp (keys |> List.rev |> List.map (fun k -> k, k))
                    Expect.equal (keysOf b) (keysOf a) $"{name}: add/remove order"
                    Expect.equal (keysOf c) (keysOf a) $"{name}: ofSeq"
                    // Scan cursors and random picks follow the trie's shape, not just the key order.
                    for m in [ b; c ] do
                        Expect.equal (scanSteps m) (scanSteps a) $"{name}: same scan cursors"

                        for seed in 0UL .. 20UL do
                            Expect.equal
                                (HashMap.randomEntry seed m)
                                (HashMap.randomEntry seed a)
                                $"{name}: same random picks"
            testPropertyWithConfig
                config
                "ofSeq equals repeated add, later duplicates winning"
                (fun (pairs: (int * int) list) ->
                    for name, cmp in comparers do
                        let pairs = pairs |> List.map (fun (k, v) -> keyOf 80 k, v)

                        let added =
                            pairs
                            |> List.fold (fun (m: HashMap<int, int>) (k, v) -> m.Add(k, v)) (HashMap.empty cmp)

                        let built = HashMap.ofSeq cmp pairs
                        Expect.equal (entries built) (entries added) name
                        Expect.equal built.Count added.Count name

                    let opaque = pairs |> List.map (fun (k, v) -> Opaque(keyOf 20 k), v)

                    let added =
                        opaque
                        |> List.fold
                            (fun (m: HashMap<Opaque, int>) (k, v) -> m.Add(k, v))
                            (HashMap.empty (OpaqueHash()))

                    Expect.equal (entries (HashMap.ofSeq (OpaqueHash()) opaque)) (entries added) "unorderable keys")
        ]

let scanTests =
    testList
        "scan"
        [
            testPropertyWithConfig config "a full scan with random counts returns every key exactly once"
            <| fun (keys: int list) (counts: int list) ->
                for name, cmp in comparers do
                    let keys = keys |> List.map (keyOf 1000) |> List.distinct
                    let m = HashMap.ofSeq cmp (keys |> List.map (fun k -> k, k))
                    let counts = counts |> List.map (keyOf 20)
                    let got = scanAll counts ignore (fun () -> m)
                    Expect.equal (List.sort got) (List.sort keys) name
                    Expect.equal got (keysOf m) $"{name}: scan order is iteration order"
            testPropertyWithConfig config "keys present throughout a scan are returned despite concurrent changes"
            <| fun (stable: int list) (churn: (bool * int) list) (counts: int list) ->
                for name, cmp in comparers do
                    let stable = stable |> List.map (keyOf 300) |> List.distinct

                    let churn =
                        churn |> List.map (fun (add, k) -> add, 300 + keyOf 300 k) |> Array.ofList

                    let mutable m = HashMap.ofSeq cmp (stable |> List.map (fun k -> k, k))

                    let between step =
                        for add, k in churn |> Array.skip (min churn.Length (step * 3)) |> Array.truncate 3 do
                            m <- if add then m.Add(k, k) else m.Remove k

                    let got = scanAll (counts |> List.map (keyOf 10)) between (fun () -> m) |> set
                    Expect.isTrue (Set.isSubset (set stable) got) $"{name}: stable keys all returned"
                    Expect.isTrue (got |> Set.forall (fun k -> k < 300 || k >= 300 && k < 600)) name
            testPropertyWithConfig config "scan never returns a key absent from the map"
            <| fun (keys: int list) (cursor: uint32) (count: int) ->
                let keys = keys |> List.map (keyOf 1000) |> Set.ofList

                let m =
                    HashMap.ofSeq EqualityComparer<int>.Default (keys |> Seq.map (fun k -> k, k))

                let struct (next, batch) = HashMap.scan (uint64 cursor) (keyOf 50 count) m

                for struct (k, _) in batch do
                    Expect.isTrue (keys.Contains k) "present key"

                    Expect.isGreaterThanOrEqual
                        (uint64 (HashMap.position m.Comparer k) + 1UL)
                        (uint64 cursor)
                        "not before cursor"

                if next <> 0UL then
                    Expect.isGreaterThan next (uint64 cursor) "cursor advances"
            test "a scan with a large count returns everything and cursor 0" {
                let m = HashMap.ofSeq EqualityComparer<int>.Default [ for i in 1..100 -> i, i ]
                let struct (next, batch) = HashMap.scan 0UL 1000 m
                Expect.equal next 0UL "done"
                Expect.equal batch.Length 100 "all"

                let struct (next, batch) =
                    HashMap.scan 0UL 10 (HashMap.empty<int, int> EqualityComparer.Default)

                Expect.equal (next, batch.Length) (0UL, 0) "empty map"
            }
            test "a scan step never splits a group of colliding keys" {
                let m = HashMap.ofSeq (StupidHash(fun k -> k % 4)) [ for i in 0..99 -> i, i ]
                let struct (next, batch) = HashMap.scan 0UL 1 m
                Expect.equal batch.Length 25 "the whole first collision group"
                Expect.notEqual next 0UL "more to come"
            }
            test "a key moved up by a removal during a scan is still returned" {
                // Identity hashes: 0 and 32 share the root slot (low 5 bits), so they start out in a sub-node;
                // removing 0 after the first step inlines 32 into a root slot whose range spans the cursor.
                let m = HashMap.ofSeq EqualityComparer<int>.Default [ 0, 0; 32, 32; 1, 1 ]
                let struct (next, batch) = HashMap.scan 0UL 1 m
                Expect.equal (batch |> Array.map (fun (struct (k, _)) -> k)) [| 0 |] "first step"
                let struct (next2, batch2) = HashMap.scan next 1 (m.Remove 0)
                Expect.equal (batch2 |> Array.map (fun (struct (k, _)) -> k)) [| 32 |] "the moved key"
                let struct (next3, batch3) = HashMap.scan next2 1 (m.Remove 0)
                Expect.equal (batch3 |> Array.map (fun (struct (k, _)) -> k), next3) ([| 1 |], 0UL) "the last key"
            }
            test "a cursor beyond the position space ends the scan" {
                let m = HashMap.ofSeq EqualityComparer<int>.Default [ 1, 1 ]
                let struct (next, batch) = HashMap.scan ((1UL <<< 32) + 5UL) 10 m
                Expect.equal (next, batch.Length) (0UL, 0) "empty and done"
            }
        ]

let randomTests =
    testList
        "randomEntry"
        [
            testPropertyWithConfig config "returns a present entry" (fun (keys: int list) (seed: uint64) ->
                for name, cmp in comparers do
                    let m = HashMap.ofSeq cmp (keys |> List.map (fun k -> keyOf 500 k, k))

                    match HashMap.randomEntry seed m with
                    | ValueNone -> Expect.isTrue m.IsEmpty name
                    | ValueSome(struct (k, v)) -> Expect.equal (m.TryFind k) (ValueSome v) name)
            test "over many seeds covers every entry of a small map" {
                for name, cmp in comparers do
                    let m = HashMap.ofSeq cmp [ for i in 0..49 -> i * 7, i ]

                    let hit =
                        set
                            [
                                for seed in 0UL .. 20000UL ->
                                    match HashMap.randomEntry seed m with
                                    | ValueSome(struct (k, _)) -> k
                                    | ValueNone -> -1
                            ]

                    Expect.equal hit (set (keysOf m)) name
            }
        ]

/// The value change ops give a key (as in runModel).
let changeFn (v: int option) =
    function
    | ValueSome old when v.IsSome -> ValueSome(old + v.Value)
    | ValueNone when v.IsSome -> ValueSome v.Value
    | _ -> ValueNone

/// Applies one op with an owner token (null: persistent ops).
let applyOwned (owner: obj) (mkKey: int -> 'K) (m: HashMap<'K, int>) op =
    match op with
    | Put(k, v) -> HashMap.addOwned owner (mkKey k) v m
    | Del k -> HashMap.removeOwned owner (mkKey k) m
    | Change(k, v) -> HashMap.changeOwned owner (mkKey k) (changeFn v) m

let keyOfOp op =
    match op with
    | Put(k, _)
    | Del k
    | Change(k, _) -> k

/// Runs ops with owned edits (one owner) and persistent ops side by side against a Dictionary model.
let runOwnedModel (cmp: IEqualityComparer<'K>) (mkKey: int -> 'K) (ops: Op list) =
    let owner = obj ()
    let model = Dictionary<'K, int>(cmp)
    let touched = HashSet<'K>(cmp)
    let mutable owned = HashMap.empty<'K, int> cmp
    let mutable persistent = HashMap.empty<'K, int> cmp

    for op in ops do
        let k = mkKey (keyOfOp op)
        touched.Add k |> ignore

        let current =
            match model.TryGetValue k with
            | true, x -> ValueSome x
            | _ -> ValueNone

        match op with
        | Put(_, v) -> model[k] <- v
        | Del _ -> model.Remove k |> ignore
        | Change(_, v) ->
            match changeFn v current with
            | ValueSome x -> model[k] <- x
            | ValueNone -> model.Remove k |> ignore

        owned <- applyOwned owner mkKey owned op
        persistent <- applyOwned null mkKey persistent op
        checkAgainst model touched owned
        Expect.equal (entries owned) (entries persistent) "same entries in the same order as persistent ops"

    Expect.equal (scanSteps owned) (scanSteps persistent) "same trie shape (scan cursors) as persistent ops"

    for seed in 0UL .. 20UL do
        Expect.equal (HashMap.randomEntry seed owned) (HashMap.randomEntry seed persistent) "same random picks"

let ownedTests =
    testList
        "owned edits"
        [
            for name, cmp in comparers do
                testPropertyWithConfig
                    config
                    $"give the same maps as persistent ops after every step with {name}"
                    (fun (ops: Op list) -> runOwnedModel cmp (keyOf 64) ops)
            testPropertyWithConfig config "give the same maps as persistent ops with byte[] keys" (fun (ops: Op list) ->
                runOwnedModel BytesComparer.Instance (keyOf 200 >> bytesKey) ops)
            testPropertyWithConfig
                config
                "give the same maps as persistent ops with unorderable colliding keys"
                (fun (ops: Op list) -> runOwnedModel (OpaqueHash()) (keyOf 30 >> Opaque) ops)
            testPropertyWithConfig
                config
                "leave a snapshot unchanged once later edits use a fresh owner"
                (fun (before: Op list) (after: Op list) (start: int list) ->
                    for name, cmp in comparers do
                        let base0 = HashMap.ofSeq cmp (start |> List.map (fun k -> keyOf 64 k, k))
                        let baseEntries = entries base0
                        let a = obj ()
                        let b = obj ()
                        let s = before |> List.fold (applyOwned a (keyOf 64)) base0
                        let recorded = entries s
                        let count = s.Count
                        let finds = [ for k in 0..63 -> s.TryFind k ]
                        let later = after |> List.fold (applyOwned b (keyOf 64)) s
                        // More edits with B on the result are still in place-edits of B's nodes only.
                        let later = before |> List.fold (applyOwned b (keyOf 64)) later
                        Expect.equal (entries s) recorded $"{name}: snapshot entries and order"
                        Expect.equal s.Count count $"{name}: snapshot count"
                        Expect.equal [ for k in 0..63 -> s.TryFind k ] finds $"{name}: snapshot lookups"
                        Expect.equal (entries base0) baseEntries $"{name}: a persistent map is never edited"

                        let expected =
                            (before @ after @ before) |> List.fold (applyOwned null (keyOf 64)) base0

                        Expect.equal (entries later) (entries expected) $"{name}: the edited map")
            testPropertyWithConfig
                config
                "are never mutated by persistent ops on their result"
                (fun (ops: Op list) (more: Op list) ->
                    for name, cmp in comparers do
                        let a = obj ()
                        let m = ops |> List.fold (applyOwned a (keyOf 64)) (HashMap.empty cmp)
                        let recorded = entries m
                        let count = m.Count
                        let results = more |> List.map (applyOwned null (keyOf 64) m)
                        let _ = more |> List.fold (applyOwned null (keyOf 64)) m
                        Expect.equal (entries m) recorded $"{name}: entries"
                        Expect.equal m.Count count $"{name}: count"

                        for r, op in List.zip results more do
                            Expect.equal
                                (entries r)
                                (entries (
                                    applyOwned
                                        null
                                        (keyOf 64)
                                        (HashMap.ofSeq cmp [ for struct (k, v) in recorded -> k, v ])
                                        op
                                ))
                                $"{name}: persistent result")
            test "do not change a persistent result that shares no owned node" {
                // Identity hashes: 0 and 32 share the root slot (a sub-node), 1 is inline in the root.
                let m = HashMap.ofSeq EqualityComparer<int>.Default [ 0, 0; 32, 32; 1, 1 ]
                let a = obj ()
                let m1 = m.AddOwned(a, 1, 100) // owns the root only
                let p = m1.Add(32, 5) // a new root that must not share the owned root's entries array
                let m2 = m1.AddOwned(a, 1, 200)
                Expect.equal (p.TryFind 1) (ValueSome 100) "persistent result keeps its value"
                Expect.equal (m2.TryFind 1) (ValueSome 200) "owned result"
                Expect.equal (m.TryFind 1) (ValueSome 1) "original"
                let q = m2.Remove 32
                let _ = m2.RemoveOwned(a, 1)
                Expect.equal (q.TryFind 1) (ValueSome 200) "persistent remove result keeps its value"
            }
            test "with a null owner behave like persistent ops" {
                let m = HashMap.ofSeq EqualityComparer<int>.Default [ for i in 0..99 -> i, i ]
                let m1 = m.AddOwned(null, 5, 500).RemoveOwned(null, 6)
                Expect.equal (m.TryFind 5, m.TryFind 6) (ValueSome 5, ValueSome 6) "original unchanged"
                Expect.equal (m1.TryFind 5, m1.TryFind 6, m1.Count) (ValueSome 500, ValueNone, 99) "result"
            }
            test "replacing a value along an owned path allocates almost nothing" {
                let cmp = BytesComparer.Instance
                let keys = [| for i in 0..9999 -> Bytes.ofString (sprintf "key:%012d" i) |]
                let owner = obj ()
                let mutable m = HashMap.ofSeq cmp [ for k in keys -> k, 0 ]

                for k in keys do // warm-up: stamps every path with the owner
                    m <- m.AddOwned(owner, k, 1)

                let before = System.GC.GetAllocatedBytesForCurrentThread()

                for i in 0 .. keys.Length - 1 do
                    m <- m.AddOwned(owner, keys[(i * 7919) % keys.Length], i)

                let perOp =
                    float (System.GC.GetAllocatedBytesForCurrentThread() - before)
                    / float keys.Length

                Expect.isLessThan perOp 40.0 "bytes per replacement"
                Expect.equal m.Count keys.Length "count"
                Expect.equal (m.TryFind keys[7919 % keys.Length]) (ValueSome 1) "a replaced value"
            }
            testPropertyWithConfig
                config
                "TryExchangeOwned replaces a present key's value in place, keeping its key, or says absent or not owned"
            <| fun (keys: int list) (probes: int list) ->
                for name, cmp in comparers do
                    let owner = obj ()
                    let mutable m = HashMap.empty<int, int> cmp
                    let model = Dictionary<int, int>()

                    for k in keys do
                        m <- m.AddOwned(owner, keyOf 300 k, k)
                        model[keyOf 300 k] <- k

                    // A fresh owner owns nothing: -1 and nothing changed.
                    for p in probes do
                        let mutable key = 0
                        let mutable old = 0
                        let k = keyOf 300 p
                        Expect.equal (m.TryExchangeOwned(obj (), k, -1, &key, &old)) -1 name
                        Expect.equal (m.TryExchangeOwned(null, k, -1, &key, &old)) -1 name

                    checkAgainst model [] m

                    for p in probes do
                        let k = keyOf 300 p
                        let mutable key = 0
                        let mutable old = 0
                        let result = m.TryExchangeOwned(owner, k, p, &key, &old)

                        match model.TryGetValue k with
                        | true, v ->
                            Expect.equal (result, old, key) (1, v, k) name
                            model[k] <- p
                        // The empty map's root was never edited, so it is not owned.
                        | _ -> Expect.equal result (if m.IsEmpty then -1 else 0) name

                    checkAgainst model [] m

            test "TryExchangeOwned keeps the stored key object" {
                let cmp = BytesComparer.Instance
                let owner = obj ()
                let stored = Bytes.ofString "member"
                let m = HashMap.empty<Bytes, float>(cmp).AddOwned(owner, stored, 1.0)
                let mutable key = null
                let mutable old = 0.0
                Expect.equal (m.TryExchangeOwned(owner, Bytes.ofString "member", 2.0, &key, &old)) 1 "present"
                Expect.isTrue (obj.ReferenceEquals(key, stored)) "the stored key is handed back"
                Expect.equal old 1.0 "old value"

                let struct (k, v) = m.ToSeq() |> Seq.head
                Expect.isTrue (obj.ReferenceEquals(k, stored) && v = 2.0) "the map keeps its key object"
            }
            test "TryReplaceOwned stores the key object given, and says absent or not owned as TryExchangeOwned" {
                let cmp = BytesComparer.Instance
                let owner = obj ()

                let m =
                    HashMap.empty<Bytes, float>(cmp).AddOwned(owner, Bytes.ofString "member", 1.0)

                let fresh = Bytes.ofString "member"
                let mutable old = 0.0
                Expect.equal (m.TryReplaceOwned(owner, fresh, 2.0, &old)) 1 "present"
                Expect.equal old 1.0 "old value"
                let struct (k, v) = m.ToSeq() |> Seq.head
                Expect.isTrue (obj.ReferenceEquals(k, fresh) && v = 2.0) "the map holds the new key object"
                Expect.equal (m.TryReplaceOwned(owner, Bytes.ofString "other", 3.0, &old)) 0 "absent"
                Expect.equal (m.TryReplaceOwned(obj (), fresh, 3.0, &old)) -1 "not owned"
                Expect.equal (m.TryReplaceOwned(null, fresh, 3.0, &old)) -1 "no owner"
                Expect.equal (m.TryFind fresh) (ValueSome 2.0) "unchanged by the refusals"
            }
            test "removing and re-adding keys along an owned path keeps counts exact" {
                let owner = obj ()
                let mutable m = HashMap.empty<int, int>(StupidHash(fun k -> k % 4))
                let mutable p = HashMap.empty<int, int>(StupidHash(fun k -> k % 4))

                for round in 0..2 do
                    for i in 0..199 do
                        m <- m.AddOwned(owner, i, round)
                        p <- p.Add(i, round)

                    for i in 0..3..199 do
                        m <- m.RemoveOwned(owner, i)
                        p <- p.Remove i

                    Expect.equal m.Count p.Count "count"
                    Expect.equal (entries m) (entries p) "entries"
            }
        ]

let tests =
    testList
        "HashMap"
        [
            modelTests
            persistenceTests
            canonicalTests
            scanTests
            randomTests
            ownedTests
        ]
