module CoolCache.Core.Tests.Collections.ScoreTreeTests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Values

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 150
        endSize = 60
    }

let private order = ScoreOrder.Instance

let private entry (score: float) (id: int) =
    {
        Score = score
        Member = Bytes.ofString (sprintf "m%d" id)
    }

let private show (e: ScoredMember) = e.Score, Bytes.toLatin1 e.Member

let private shown (a: ScoredMember[]) = a |> Array.map show

/// The same entry with its member in another array.
let private copied (x: ScoredMember) =
    {
        Score = x.Score
        Member = Array.copy x.Member
    }

// ---- The model: a sorted array list of distinct entries ----

type private Model() =
    let items = ResizeArray<ScoredMember>()
    member _.Items = items
    member _.Count = items.Count
    member _.Find(x: ScoredMember) = items.BinarySearch(x, order)

    /// Adds x, replacing an equal entry.
    member m.Add(x: ScoredMember) =
        let i = m.Find x

        if i >= 0 then items[i] <- x else items.Insert(~~~i, x)

    member m.Remove(x: ScoredMember) =
        let i = m.Find x

        if i >= 0 then
            items.RemoveAt i
            true
        else
            false

    member _.Copy() =
        let c = Model()
        c.Items.AddRange items
        c

/// The tree holds exactly the model's entries, by every accessor, and its shape is valid.
let private check (model: Model) (t: ScoreTree) =
    let expected = model.Items.ToArray()
    let n = expected.Length
    Expect.equal (ScoreTree.problems t) [] "a valid B+tree"
    Expect.equal (ScoreTree.count t) n "count"
    Expect.equal (ScoreTree.isEmpty t) (n = 0) "isEmpty"
    Expect.equal (shown (ScoreTree.toArray t)) (shown expected) "entries in order"

    let stride = max 1 (n / 97)

    for i in 0..stride .. n - 1 do
        Expect.equal (show (ScoreTree.item i t)) (show expected[i]) "item"
        Expect.equal (ScoreTree.rank expected[i] t) i "rank"
        // The same member in another array (found by bytes, not by reference).
        Expect.equal (ScoreTree.rank (copied expected[i]) t) i "rank by bytes"

    // Absent keys: between entries, below and above every entry.
    for probe in [ entry -1e9 0; entry 1e9 0; entry 0.5 7 ] do
        let i = model.Find probe
        Expect.equal (ScoreTree.rank probe t) (if i >= 0 then i else -1) "rank of a probe"

    // Score bounds: the first entry with score >= s and > s.
    for s in [ -infinity; -1.0; -0.0; 0.0; 1.0; 2.5; 7.0; 100.0; 999.0; infinity ] do
        let atLeast =
            expected |> Array.tryFindIndex (fun e -> e.Score >= s) |> Option.defaultValue n

        let above =
            expected |> Array.tryFindIndex (fun e -> e.Score > s) |> Option.defaultValue n

        Expect.equal (ScoreTree.lowerBound (fun e -> e.Score >= s) t) atLeast "lowerBound score >= s"
        Expect.equal (ScoreTree.lowerBound (fun e -> e.Score > s) t) above "lowerBound score > s"
        Expect.equal (ScoreTree.countScoreBelow s false t) atLeast "countScoreBelow s"
        Expect.equal (ScoreTree.countScoreBelow s true t) above "countScoreBelow s inclusive"

    for start, count in [ 0, n; n / 3, n / 2; n, 0; max 0 (n - 1), min n 1; n / 2, min (n / 2) 70 ] do
        let want = shown expected[start .. start + count - 1]
        let seen = ResizeArray()
        ScoreTree.iterRange start count seen.Add t
        Expect.equal (shown (seen.ToArray())) want "iterRange"
        seen.Clear()
        ScoreTree.iterRangeBack start count seen.Add t
        Expect.equal (shown (seen.ToArray())) (Array.rev want) "iterRangeBack"
        let dest = Array.zeroCreate (count + 2)
        ScoreTree.copyRange start count dest 1 t
        Expect.equal (shown dest[1..count]) want "copyRange"
        Expect.isTrue (isNull dest[0].Member && isNull dest[count + 1].Member) "copyRange writes only its range"

// ---- Operations against the model ----

type private Op =
    /// Insert an entry (score in a small range, so scores tie and members decide).
    | Insert of score: int * id: int
    /// Insert count random entries (scores 0..999, members 0..99999) from a seed: trees of several levels.
    | InsertMany of seed: int * count: int
    /// Remove the entry at a position (modulo the count), or an absent key.
    | Remove of at: int
    | RemoveAbsent of score: int * id: int
    /// Give the entry at a position a new score: a small step stays in its leaf, a big one moves it.
    | Rescore of at: int * delta: float
    | RemoveRange of start: int * count: int
    /// Remove count random entries one by one (seeded), down to small trees again.
    | RemoveMany of seed: int * count: int
    /// Start from a bulk-built tree of count ascending entries.
    | OfSorted of count: int
    /// Keep the current tree and model; later edits use a fresh owner.
    | Freeze
    /// The next edit is persistent (null owner).
    | Persistent

let private opGen =
    Gen.frequency
        [
            10, Gen.map2 (fun s i -> Insert(s, i)) (Gen.choose (0, 8)) (Gen.choose (0, 60))
            2, Gen.map2 (fun s n -> InsertMany(s, n)) (Gen.choose (0, 10000)) (Gen.choose (1, 6000))
            6, Gen.map Remove (Gen.choose (0, 100000))
            1, Gen.map2 (fun s i -> RemoveAbsent(s, i)) (Gen.choose (0, 8)) (Gen.choose (0, 60))
            6,
            Gen.map2
                (fun at d -> Rescore(at, d))
                (Gen.choose (0, 100000))
                (Gen.elements [ 0.0; 1e-9; -1e-9; 0.25; -0.25; 3.0; -500.0; 700.0; infinity; -infinity ])
            2, Gen.map2 (fun s c -> RemoveRange(s, c)) (Gen.choose (0, 100000)) (Gen.choose (0, 3000))
            1, Gen.map2 (fun s n -> RemoveMany(s, n)) (Gen.choose (0, 10000)) (Gen.choose (1, 6000))
            1, Gen.map OfSorted (Gen.choose (0, 9000))
            1, Gen.constant Freeze
            2, Gen.constant Persistent
        ]

let private run (ops: Op list) =
    let mutable owner = obj ()
    let mutable persistent = false
    let mutable t = ScoreTree.empty
    let mutable model = Model()
    let frozen = ResizeArray<ScoreTree * ScoredMember[]>()

    for op in ops do
        let n = model.Count
        let o = if persistent then null else owner
        let before = t
        let beforeEntries = if persistent then ScoreTree.toArray t else [||]

        match op with
        | Insert(s, i) ->
            let x = entry (float s) i
            model.Add x
            t <- ScoreTree.insertOwned o x t
        | InsertMany(seed, count) ->
            let rnd = Random(seed)

            for _ in 1..count do
                let x = entry (float (rnd.Next 1000)) (rnd.Next 100000)
                model.Add x
                t <- ScoreTree.insertOwned o x t
        | Remove at when n > 0 ->
            let x = model.Items[at % n]
            model.Remove x |> ignore
            let struct (t', found) = ScoreTree.removeOwned o x t
            Expect.isTrue found "a present entry is found"
            t <- t'
        | RemoveAbsent(s, i) ->
            let x = entry (float s + 0.5) i
            let struct (t', found) = ScoreTree.removeOwned o x t
            Expect.isFalse found "an absent entry is not found"
            Expect.isTrue (obj.ReferenceEquals(t', t)) "removing an absent entry returns the same tree"
        | Rescore(at, delta) when n > 0 ->
            let old = model.Items[at % n]

            let nw = { old with Score = old.Score + delta }

            // Only to a key no other entry has (a sorted set's members are distinct), never NaN.
            if not (Double.IsNaN nw.Score) && (model.Find nw < 0 || delta = 0.0) then
                model.Remove old |> ignore
                model.Add nw
                t <- ScoreTree.replaceOwned o old nw t
        | RemoveRange(start, count) ->
            let start = if n = 0 then 0 else start % (n + 1)
            let count = min count (n - start)
            model.Items.RemoveRange(start, count)
            t <- ScoreTree.removeRangeOwned o start count t
        | RemoveMany(seed, count) ->
            let rnd = Random(seed)

            for _ in 1 .. min count model.Count do
                let x = model.Items[rnd.Next model.Count]
                model.Remove x |> ignore
                let struct (t', _) = ScoreTree.removeOwned o x t
                t <- t'
        | OfSorted count ->
            model <- Model()

            for i in 0 .. count - 1 do
                model.Items.Add(entry (float (i / 3)) i)

            model.Items.Sort order
            t <- ScoreTree.ofSorted (model.Items.ToArray())
        | Freeze ->
            frozen.Add(t, ScoreTree.toArray t)
            owner <- obj ()
        | Persistent -> ()
        | _ -> ()

        if persistent then
            Expect.equal (shown (ScoreTree.toArray before)) (shown beforeEntries) "a persistent edit changes nothing"

        persistent <- (op = Persistent)
        check model t

    for f, entries in frozen do
        Expect.equal (shown (ScoreTree.toArray f)) (shown entries) "a frozen tree is unchanged by later edits"
        Expect.equal (ScoreTree.problems f) [] "a frozen tree stays valid"

let private modelTests =
    testList
        "matches a sorted list"
        [
            testPropertyWithConfig config "inserts, removes, rescores, ranges, bulk builds, snapshots"
            <| Prop.forAll (Arb.fromGen (Gen.listOf opGen)) run
        ]

// ---- Shapes ----

let private bulkTests =
    testList
        "shape"
        [
            test "ascending and descending inserts fill their leaves, and removing everything empties the tree" {
                for descending in [ false; true ] do
                    let owner = obj ()
                    let mutable t = ScoreTree.empty
                    let n = 20000

                    for i in 0 .. n - 1 do
                        let k = if descending then n - 1 - i else i
                        t <- ScoreTree.insertOwned owner (entry (float k) k) t

                    Expect.equal (ScoreTree.problems t) [] "valid"
                    Expect.equal (ScoreTree.count t) n "count"
                    // 20,000 entries in full 64-entry leaves need 313 leaves and 5 inner nodes: height 3.
                    Expect.equal (ScoreTree.height t) 3 "height of full nodes"
                    Expect.equal (ScoreTree.leafCount t) ((n + 63) / 64) "leaves are full"

                    let rnd = Random(5)
                    let keys = Array.init n id
                    rnd.Shuffle keys

                    for j in 0 .. n - 1 do
                        let struct (t', found) =
                            ScoreTree.removeOwned owner (entry (float keys[j]) keys[j]) t

                        Expect.isTrue found "found"
                        t <- t'

                        if j % 997 = 0 then
                            Expect.equal (ScoreTree.problems t) [] "valid while emptying"

                    Expect.isTrue (ScoreTree.isEmpty t) "empty"
                    Expect.isTrue (obj.ReferenceEquals(t, ScoreTree.empty)) "the shared empty tree"
            }
            test "random inserts keep leaves at least a quarter full and the height logarithmic" {
                let owner = obj ()
                let rnd = Random(11)
                let mutable t = ScoreTree.empty

                for _ in 1..100000 do
                    t <- ScoreTree.insertOwned owner (entry (float (rnd.Next 100000)) (rnd.Next 1000000)) t

                Expect.equal (ScoreTree.problems t) [] "valid"
                Expect.isLessThanOrEqual (ScoreTree.height t) 4 "height"
                let perLeaf = float (ScoreTree.count t) / float (ScoreTree.leafCount t)
                // Random inserts into splitting B-tree leaves settle near ln 2 of the capacity.
                Expect.isGreaterThan perLeaf 38.0 "entries per leaf"
            }
            test "entries that all share one score are ordered, ranked and found by member" {
                let owner = obj ()
                let rnd = Random(13)
                let ids = Array.init 20000 id
                rnd.Shuffle ids
                let mutable t = ScoreTree.empty

                for i in ids do
                    t <- ScoreTree.insertOwned owner (entry 5.0 i) t

                let expected =
                    Array.init 20000 (fun i -> entry 5.0 i) |> Array.sortWith ScoredMember.compare

                Expect.equal (ScoreTree.problems t) [] "valid"
                Expect.equal (ScoreTree.toArray t |> shown) (shown expected) "in member order"

                for i in 0..37 .. expected.Length - 1 do
                    Expect.equal (ScoreTree.rank expected[i] t) i "rank"
                    Expect.equal (ScoreTree.rank (copied expected[i]) t) i "rank by bytes"
                    let m = expected[i].Member

                    Expect.equal
                        (ScoreTree.lowerBound (fun e -> Bytes.compare e.Member m >= 0) t)
                        i
                        "lowerBound by member"

                Expect.equal
                    (ScoreTree.countScoreBelow 5.0 false t, ScoreTree.countScoreBelow 5.0 true t)
                    (0, 20000)
                    "score counts"

                for i in ids[..9999] do
                    let struct (t', found) = ScoreTree.removeOwned owner (entry 5.0 i) t
                    Expect.isTrue found "found"
                    t <- t'

                Expect.equal (ScoreTree.problems t) [] "valid after removals"
                Expect.equal (ScoreTree.count t) 10000 "count"
            }
            test "ofSorted builds full nodes of any size" {
                for n in [ 0; 1; 2; 63; 64; 65; 128; 129; 4095; 4096; 4097; 262145 ] do
                    let a = Array.init n (fun i -> entry (float i) i)
                    let t = ScoreTree.ofSorted a
                    Expect.equal (ScoreTree.problems t) [] "valid"
                    Expect.equal (ScoreTree.toArray t |> shown) (shown a) "entries"
                    Expect.equal (ScoreTree.leafCount t) ((n + 63) / 64) "full leaves"
            }
            test "removing ranges of every size keeps the shape" {
                let a = Array.init 50000 (fun i -> entry (float i) i)
                let rnd = Random(3)

                for _ in 1..40 do
                    let owner = if rnd.Next 2 = 0 then obj () else null
                    let start = rnd.Next 50000
                    let count = rnd.Next(50000 - start + 1)
                    let t = ScoreTree.removeRangeOwned owner start count (ScoreTree.ofSorted a)
                    Expect.equal (ScoreTree.problems t) [] "valid"

                    Expect.equal
                        (ScoreTree.toArray t |> shown)
                        (Array.append a[.. start - 1] a[start + count ..] |> shown)
                        "entries"
            }
        ]

/// Many big edits concentrated in regions (inserts in one score band, range removals elsewhere), so
/// that inner nodes of a three-level tree split, merge and lend children to each other; checked against
/// a SortedSet.
let private stress (seed: int) =
    let rnd = Random(seed)
    let owner = obj ()
    let model = Collections.Generic.SortedSet<ScoredMember>(order)
    let mutable t = ScoreTree.empty
    let mutable next = 0

    let add (x: ScoredMember) =
        if model.Add x then
            t <- ScoreTree.insertOwned owner x t

    for _ in 1..150000 do
        next <- next + 1
        add (entry (float (rnd.Next 100000)) next)

    for round in 1..120 do
        match rnd.Next 3 with
        | 0 ->
            // A burst of inserts into a narrow band of scores.
            let band = rnd.Next 100000

            for _ in 1 .. rnd.Next 6000 do
                next <- next + 1
                add (entry (float (band + rnd.Next 300)) next)
        | 1 ->
            let n = ScoreTree.count t
            let start = rnd.Next(n + 1)
            let count = min (n - start) (rnd.Next 8000)
            let removed = Array.zeroCreate count
            ScoreTree.copyRange start count removed 0 t

            for x in removed do
                model.Remove x |> ignore

            t <- ScoreTree.removeRangeOwned owner start count t
        | _ ->
            // Single removals from one region.
            let n = ScoreTree.count t

            if n > 0 then
                let around = rnd.Next n

                for _ in 1 .. min n (rnd.Next 4000) do
                    let n = ScoreTree.count t
                    let x = ScoreTree.item (min (n - 1) (around + rnd.Next 200)) t
                    model.Remove x |> ignore
                    let struct (t', found) = ScoreTree.removeOwned owner x t
                    Expect.isTrue found "found"
                    t <- t'

        if round % 10 = 0 then
            Expect.equal (ScoreTree.problems t) [] "valid"

        Expect.equal (ScoreTree.count t) model.Count "count"

    Expect.equal (ScoreTree.problems t) [] "valid"
    Expect.equal (ScoreTree.toArray t |> shown) (Seq.toArray model |> shown) "entries"

    // Down to nothing by ranges from the middle.
    while not (ScoreTree.isEmpty t) do
        let n = ScoreTree.count t
        t <- ScoreTree.removeRangeOwned owner (n / 3) (max 1 (min (n - n / 3) (rnd.Next 5000))) t

        if ScoreTree.count t % 7 = 0 then
            Expect.equal (ScoreTree.problems t) [] "valid while emptying"

let private stressTests =
    testList
        "stress"
        [
            test "bursts of inserts and removals in regions of a large tree agree with a SortedSet" {
                for seed in 1..3 do
                    stress seed
            }
        ]

// ---- Owned edits ----

let private ownedTests =
    testList
        "owned edits"
        [
            test "on an owned path allocate nothing but splits, and a rescore in its leaf allocates nothing" {
                let owner = obj ()
                let rnd = Random(7)
                let mutable t = ScoreTree.empty

                for i in 0..99999 do
                    t <- ScoreTree.insertOwned owner (entry (float (rnd.Next 100000)) i) t

                let keys = ScoreTree.toArray t
                let before = GC.GetAllocatedBytesForCurrentThread()

                for i in 0..19999 do
                    let old = keys[i * 5]
                    let struct (t', _) = ScoreTree.removeOwned owner old t

                    t <-
                        ScoreTree.insertOwned
                            owner
                            { old with
                                Score = float (rnd.Next 100000)
                            }
                            t'

                let perMove = float (GC.GetAllocatedBytesForCurrentThread() - before) / 20000.0
                // A split (two ~1 KB arrays) every ~32 inserts into a full leaf, nothing otherwise.
                Expect.isLessThan perMove 80.0 "bytes per remove + insert"
                Expect.equal (ScoreTree.problems t) [] "valid"

                let keys = ScoreTree.toArray t
                let before = GC.GetAllocatedBytesForCurrentThread()
                let root = t

                for i in 1..19999 do
                    // Between its neighbours: the same place, changed in place.
                    let old = keys[i * 5]

                    let nw =
                        { old with
                            Score = (old.Score + keys[i * 5 - 1].Score) / 2.0
                        }

                    if ScoredMember.compare keys[i * 5 - 1] nw < 0 then
                        t <- ScoreTree.replaceOwned owner old nw t
                        keys[i * 5] <- nw

                // Nothing per rescore (the loop itself may allocate a few bytes once: tiered compilation).
                Expect.isLessThan
                    (float (GC.GetAllocatedBytesForCurrentThread() - before) / 20000.0)
                    0.1
                    "bytes per rescore"

                Expect.isTrue (obj.ReferenceEquals(root, t)) "the same tree"
                Expect.equal (ScoreTree.toArray t |> shown) (shown keys) "entries"
            }
            test "a rescore past its leaf's bound that keeps its neighbours stays in place and moves the bound" {
                let owner = obj ()
                let mutable t = ScoreTree.empty

                // Ascending: leaves [0, 64) and [64, 128), separated by (64, m64).
                for i in 0..127 do
                    t <- ScoreTree.insertOwned owner (entry (float i) i) t

                Expect.equal (ScoreTree.leafCount t) 2 "two leaves"
                let struct (t', _) = ScoreTree.removeOwned owner (entry 64.0 64) t
                t <- t'
                let root = t
                let e63, e63' = entry 63.0 63, entry 64.5 63
                let e65, e65' = entry 65.0 65, entry 64.7 65
                let before = GC.GetAllocatedBytesForCurrentThread()
                // The last of the first leaf goes past the separator (64, m64), still below (65, m65).
                t <- ScoreTree.replaceOwned owner e63 e63' t
                // The first of the second leaf goes below the separator, still above (64.5, m63).
                t <- ScoreTree.replaceOwned owner e65 e65' t
                Expect.equal (GC.GetAllocatedBytesForCurrentThread() - before) 0L "no allocation"
                Expect.isTrue (obj.ReferenceEquals(root, t)) "the same tree"
                Expect.equal (ScoreTree.problems t) [] "valid: the separator moved"
                Expect.equal (ScoreTree.rank (entry 64.5 63) t, ScoreTree.rank (entry 64.7 65) t) (63, 64) "ranks"
                Expect.equal (ScoreTree.leafCount t) 2 "still two leaves"
                // A copy of a frozen tree's path: the frozen one keeps its separator.
                let frozen = t
                let t2 = ScoreTree.replaceOwned (obj ()) (entry 64.7 65) (entry 64.6 65) t
                Expect.equal (ScoreTree.problems frozen, ScoreTree.problems t2) ([], []) "both valid"

                Expect.equal
                    (ScoreTree.item 64 frozen |> show, ScoreTree.item 64 t2 |> show)
                    ((64.7, "m65"), (64.6, "m65"))
                    "each its own"
            }
            test "a frozen version is never changed by edits under a new owner, an owned one is" {
                let owner = obj ()
                let a = Array.init 10000 (fun i -> entry (float i) i)
                let mutable t = ScoreTree.empty

                for x in a do
                    t <- ScoreTree.insertOwned owner x t

                let same = t
                t <- ScoreTree.insertOwned owner (entry 0.5 0) t
                Expect.equal (ScoreTree.count same) 10001 "the same owner edits in place"

                let frozen = t
                let snapshot = ScoreTree.toArray frozen
                let owner2 = obj ()

                for i in 0..9999 do
                    let struct (t', _) = ScoreTree.removeOwned owner2 a[i] t
                    t <- ScoreTree.insertOwned owner2 (entry (float (i * 7 % 10000)) (i + 20000)) t'

                t <- ScoreTree.removeRangeOwned owner2 10 5000 t
                t <- ScoreTree.replaceOwned owner2 (ScoreTree.item 0 t) (entry -1.0 0) t
                Expect.equal (ScoreTree.toArray frozen |> shown) (shown snapshot) "the frozen version"
                Expect.equal (ScoreTree.problems frozen) [] "valid"
                Expect.equal (ScoreTree.problems t) [] "the new version is valid"
            }
            test "with a null owner are the persistent operations" {
                let a = Array.init 1000 (fun i -> entry (float i) i)
                let t = ScoreTree.ofSorted a
                let t2 = ScoreTree.insert (entry 0.5 0) t
                let t3 = ScoreTree.remove a[500] t2
                let t4 = ScoreTree.removeRange 10 900 t3
                let t5 = ScoreTree.replaceOwned null a[0] (entry 2000.0 0) t4

                for x in [ t; t2; t3; t4; t5 ] do
                    Expect.equal (ScoreTree.problems x) [] "valid"

                Expect.equal (ScoreTree.toArray t |> shown) (shown a) "the original is unchanged"
                Expect.equal (ScoreTree.count t2, ScoreTree.count t3, ScoreTree.count t4) (1001, 1000, 100) "counts"
                Expect.equal (ScoreTree.item 99 t5 |> show) (2000.0, "m0") "rescored to the end"
            }
        ]

let private errorTests =
    testList
        "bounds"
        [
            test "positions outside the tree throw ArgumentOutOfRangeException" {
                let t = ScoreTree.ofSorted [| entry 1.0 1; entry 2.0 2; entry 3.0 3 |]

                let throws name f =
                    Expect.throwsT<ArgumentOutOfRangeException> (fun () -> f () |> ignore) name

                throws "item -1" (fun () -> ScoreTree.item -1 t)
                throws "item count" (fun () -> ScoreTree.item 3 t)
                throws "item of empty" (fun () -> ScoreTree.item 0 ScoreTree.empty)
                throws "removeAt count" (fun () -> ScoreTree.removeAtOwned null 3 t)
                throws "removeRange past the end" (fun () -> ScoreTree.removeRange 2 2 t)
                throws "iterRange past the end" (fun () -> ScoreTree.iterRange 1 3 ignore t)
                throws "copyRange into a short array" (fun () -> ScoreTree.copyRange 0 3 (Array.zeroCreate 2) 0 t)
            }
            test "the empty tree answers counts, searches and ranges" {
                let e = ScoreTree.empty

                Expect.equal
                    (ScoreTree.count e, ScoreTree.isEmpty e, ScoreTree.toArray e |> shown)
                    (0, true, [||])
                    "empty"

                Expect.equal (ScoreTree.rank (entry 1.0 1) e) -1 "rank"
                Expect.equal (ScoreTree.lowerBound (fun _ -> true) e) 0 "lowerBound"
                let struct (e', found) = ScoreTree.removeOwned null (entry 1.0 1) e
                Expect.isTrue (obj.ReferenceEquals(e', e) && not found) "remove"

                Expect.isTrue
                    (obj.ReferenceEquals(ScoreTree.remove (entry 1.0 1) (ScoreTree.insert (entry 1.0 1) e), e))
                    "back to the shared empty"
            }
        ]

let tests =
    testList "Collections.ScoreTree" [ modelTests; bulkTests; stressTests; ownedTests; errorTests ]
