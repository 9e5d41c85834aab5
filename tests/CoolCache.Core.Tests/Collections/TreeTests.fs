module CoolCache.Core.Tests.Collections.TreeTests

open System.Collections.Generic
open Expecto
open CoolCache.Core.Collections

let config =
    { FsCheckConfig.defaultConfig with
        maxTest = 200
        endSize = 300
    }

/// Positional operations; indices are reduced modulo the current size (+1 where the end is valid).
type PosOp =
    | InsertAt of i: int * x: int
    | RemoveAt of i: int
    | SetAt of i: int * x: int
    | PushFront of x: int
    | PushBack of x: int
    | PopFront
    | PopBack
    | Slice of start: int * count: int
    | TakeLeft of i: int
    | TakeRight of i: int
    | ConcatBack of xs: int list
    | ConcatFront of xs: int list
    | ConcatSelf
    | RemoveRange of start: int * count: int

let private modulo (n: int) (i: int) = if n <= 0 then 0 else abs (i % n)

/// A range within [0, n]: start in [0, n], count in [0, n - start].
let private range (n: int) (start: int) (count: int) =
    let s = modulo (n + 1) start
    s, modulo (n - s + 1) count

/// Full check of a tree against a model: contents by every accessor, sizes and balance.
let check (model: ResizeArray<int>) (t: Tree<int>) =
    let expected = model.ToArray()
    Expect.equal (Tree.count t) expected.Length "count"
    Expect.equal (Tree.isEmpty t) (expected.Length = 0) "isEmpty"
    Expect.isTrue (Tree.isValid t) "sizes right and weight-balanced"
    Expect.equal (Tree.toArray t) expected "toArray"
    Expect.equal (Tree.toSeq t |> Seq.toArray) expected "toSeq"

    // Every position of small trees; a stride through larger ones.
    let stride = max 1 (expected.Length / 64)

    for i in 0..stride .. expected.Length - 1 do
        Expect.equal (Tree.item i t) expected[i] "item"

    let n = expected.Length
    let height = Tree.height t
    // Weight balance with delta = 3 bounds the height by log_{4/3}(n + 1) + 1.
    let bound = int (System.Math.Log(float (n + 1)) / System.Math.Log(4.0 / 3.0)) + 1
    Expect.isLessThanOrEqual height bound "height within the weight-balance bound"

    for start, count in
        [
            0, n
            n / 3, n / 2
            n, 0
            (if n > 0 then n - 1 else 0), (if n > 0 then 1 else 0)
        ] do
        let seen = ResizeArray()
        Tree.iterRange start count seen.Add t
        Expect.equal (seen.ToArray()) expected[start .. start + count - 1] "iterRange"
        seen.Clear()
        Tree.iterRangeBack start count seen.Add t
        Expect.equal (seen.ToArray()) (Array.rev expected[start .. start + count - 1]) "iterRangeBack"
        let dest = Array.create (count + 2) -1
        Tree.copyRange start count dest 1 t
        Expect.equal dest[1..count] expected[start .. start + count - 1] "copyRange"
        Expect.equal (dest[0], dest[count + 1]) (-1, -1) "copyRange writes only its range"

let runPositional (ops: PosOp list) =
    let model = ResizeArray<int>()
    let mutable t = Tree.empty<int>

    for op in ops do
        let n = model.Count

        match op with
        | InsertAt(i, x) ->
            let i = modulo (n + 1) i
            model.Insert(i, x)
            t <- Tree.insertAt i x t
        | RemoveAt i when n > 0 ->
            let i = modulo n i
            model.RemoveAt i
            t <- Tree.removeAt i t
        | SetAt(i, x) when n > 0 ->
            let i = modulo n i
            model[i] <- x
            t <- Tree.setAt i x t
        | PushFront x ->
            model.Insert(0, x)
            t <- Tree.pushFront x t
        | PushBack x ->
            model.Add x
            t <- Tree.pushBack x t
        | PopFront when n > 0 ->
            model.RemoveAt 0
            t <- Tree.removeAt 0 t
        | PopBack when n > 0 ->
            model.RemoveAt(n - 1)
            t <- Tree.removeAt (n - 1) t
        | Slice(start, count) ->
            let s, c = range n start count
            let kept = model.GetRange(s, c)
            model.Clear()
            model.AddRange kept
            t <- Tree.slice s c t
        | TakeLeft i ->
            let i = modulo (n + 1) i
            let struct (l, _) = Tree.split i t
            model.RemoveRange(i, n - i)
            t <- l
        | TakeRight i ->
            let i = modulo (n + 1) i
            let struct (_, r) = Tree.split i t
            model.RemoveRange(0, i)
            t <- r
        | ConcatBack xs ->
            model.AddRange xs
            t <- Tree.concat t (Tree.ofArray (List.toArray xs))
        | ConcatFront xs ->
            model.InsertRange(0, xs)
            t <- Tree.concat (Tree.ofArray (List.toArray xs)) t
        | ConcatSelf when n < 1000 ->
            model.AddRange(model.ToArray())
            t <- Tree.concat t t
        | RemoveRange(start, count) ->
            let s, c = range n start count
            model.RemoveRange(s, c)
            t <- Tree.removeRange s c t
        | _ -> ()

        check model t

/// Ordered operations on int elements kept in ascending order.
type SortedOp =
    | Add of int
    | Remove of int

let cmp = Comparer<int>.Default

let checkSorted (model: SortedSet<int>) (probes: int seq) (t: Tree<int>) =
    let expected = Seq.toArray model
    Expect.equal (Tree.toArray t) expected "contents in order"
    Expect.isTrue (Tree.isValid t) "sizes right and weight-balanced"

    for k in probes do
        let idx = System.Array.BinarySearch(expected, k)
        Expect.equal (Tree.rank cmp k t) (if idx >= 0 then idx else -1) "rank"
        Expect.equal (Tree.tryFind cmp k t) (if idx >= 0 then ValueSome k else ValueNone) "tryFind"
        let firstAtLeast = if idx >= 0 then idx else ~~~idx
        Expect.equal (Tree.lowerBound (fun x -> x >= k) t) firstAtLeast "lowerBound (x >= k)"
        let firstAbove = if idx >= 0 then idx + 1 else ~~~idx
        Expect.equal (Tree.lowerBound (fun x -> x > k) t) firstAbove "lowerBound (x > k)"

let runSorted (range: int) (ops: SortedOp list) =
    let model = SortedSet<int>()
    let mutable t = Tree.empty<int>

    for op in ops do
        match op with
        | Add k ->
            let k = modulo range k
            model.Add k |> ignore
            t <- Tree.insertSorted cmp k t
        | Remove k ->
            let k = modulo range k
            let before = t
            let present = model.Remove k
            t <- Tree.removeSorted cmp k t

            if not present then
                Expect.isTrue (obj.ReferenceEquals(t, before)) "removing an absent element returns the same tree"

        // Probe every present element, its neighbours, both ends and beyond them.
        let probes =
            [ -1; 0; range - 1; range ]
            @ [
                for k in model do
                    yield! [ k - 1; k; k + 1 ]
            ]

        checkSorted model probes t

let modelTests =
    testList
        "matches a model"
        [
            testPropertyWithConfig config "positional ops against a ResizeArray, checked after every step" runPositional
            testPropertyWithConfig config "ordered ops against a SortedSet (dense keys)" (runSorted 40)
            testPropertyWithConfig config "ordered ops against a SortedSet (sparse keys)" (runSorted 100000)
            testPropertyWithConfig
                config
                "insertSorted replaces the element equal under cmp"
                (fun (xs: int list) (k: int) ->
                    // Compare by key only: (key, tag) pairs; the stored element is the last inserted.
                    let byKey =
                        { new IComparer<int * string> with
                            member _.Compare((a, _), (b, _)) = compare a b
                        }

                    let t = xs |> List.fold (fun t x -> Tree.insertSorted byKey (x, "old") t) Tree.empty

                    let t2 = Tree.insertSorted byKey (k, "new") t
                    Expect.equal (Tree.tryFind byKey (k, "") t2) (ValueSome(k, "new")) "the new element"

                    Expect.equal
                        (Tree.count t2)
                        (Tree.count t + (if Tree.rank byKey (k, "") t >= 0 then 0 else 1))
                        "count")
            testPropertyWithConfig config "lowerBound of a constant predicate" (fun (xs: int list) ->
                let t = Tree.ofArray (List.toArray xs)
                Expect.equal (Tree.lowerBound (fun _ -> true) t) 0 "always true: 0"
                Expect.equal (Tree.lowerBound (fun _ -> false) t) (Tree.count t) "never true: count")
        ]

let joinTests =
    testList
        "split and join"
        [
            testPropertyWithConfig config "concat of trees of any two sizes is balanced and in order"
            <| fun (a: byte) (b: byte) (shapeA: bool) (shapeB: bool) ->
                // Sizes up to a few thousand, built both as perfect trees and by pushes (other shapes).
                let build (n: int) (perfect: bool) (offset: int) =
                    if perfect then
                        Tree.ofArray [| offset .. offset + n - 1 |]
                    else
                        let mutable t = Tree.empty

                        for i in offset + n - 1 .. -1 .. offset do
                            t <- Tree.pushFront i t

                        t

                let na = int a * int a / 16
                let nb = int b * 17 % 4001
                let ta = build na shapeA 0
                let tb = build nb shapeB na
                let t = Tree.concat ta tb
                Expect.isTrue (Tree.isValid t) "balanced"
                Expect.equal (Tree.toArray t) [| 0 .. na + nb - 1 |] "in order"
            test "split at every position of a 300-element tree gives balanced halves" {
                let mutable t = Tree.empty

                for i in 0..299 do
                    t <- Tree.insertAt (i / 2) i t

                let all = Tree.toArray t

                for i in 0..300 do
                    let struct (l, r) = Tree.split i t
                    Expect.isTrue (Tree.isValid l && Tree.isValid r) "balanced"
                    Expect.equal (Tree.toArray l) all[.. i - 1] "left"
                    Expect.equal (Tree.toArray r) all[i..] "right"
                    Expect.equal (Tree.toArray (Tree.concat l r)) all "rejoined"
            }
            test "slice of the whole tree and split at the ends return the tree itself" {
                let t = Tree.ofArray [| 1..10 |]
                Expect.isTrue (obj.ReferenceEquals(Tree.slice 0 10 t, t)) "slice"
                let struct (l, r) = Tree.split 0 t
                Expect.isTrue (Tree.isEmpty l && obj.ReferenceEquals(r, t)) "split 0"
                let struct (l, r) = Tree.split 10 t
                Expect.isTrue (obj.ReferenceEquals(l, t) && Tree.isEmpty r) "split count"
                Expect.isTrue (obj.ReferenceEquals(Tree.removeRange 3 0 t, t)) "removeRange of nothing"
            }
        ]

let bulkTests =
    testList
        "in bulk"
        [
            test "100,000 pushes at either end, then pops from either end, stay balanced" {
                let mutable t = Tree.empty
                let n = 100000

                for i in 0 .. n - 1 do
                    t <- if i % 3 = 0 then Tree.pushFront i t else Tree.pushBack i t

                Expect.isTrue (Tree.isValid t) "balanced after pushes"
                Expect.isLessThanOrEqual (Tree.height t) 41 "height after pushes"
                let a = Tree.toArray t

                let expected =
                    Array.append
                        ([| 0..3 .. n - 1 |] |> Array.rev)
                        ([| 0 .. n - 1 |] |> Array.filter (fun i -> i % 3 <> 0))

                Expect.equal a expected "contents"

                for i in 0 .. n / 2 - 1 do
                    t <-
                        if i % 2 = 0 then
                            Tree.removeAt 0 t
                        else
                            Tree.removeAt (Tree.count t - 1) t

                Expect.isTrue (Tree.isValid t) "balanced after pops"
                Expect.equal (Tree.toArray t) expected[n / 4 .. n - n / 4 - 1] "contents after pops"
            }
            test "a queue (push back, pop front) of 50,000 passes stays balanced" {
                let mutable t = Tree.ofArray [| 0..999 |]

                for i in 1000..50999 do
                    t <- Tree.removeAt 0 (Tree.pushBack i t)

                Expect.isTrue (Tree.isValid t) "balanced"
                Expect.equal (Tree.toArray t) [| 50000..50999 |] "contents"
            }
            test "ascending and descending sorted inserts and removals stay balanced" {
                let mutable t = Tree.empty

                for i in 0..19999 do
                    t <- Tree.insertSorted cmp (if i % 2 = 0 then i else -i) t

                Expect.isTrue (Tree.isValid t) "balanced"
                Expect.equal (Tree.count t) 20000 "count"

                for i in 0..2..19999 do
                    t <- Tree.removeSorted cmp i t

                Expect.isTrue (Tree.isValid t) "balanced after removals"
                Expect.equal (Tree.toArray t) [| for i in 19999..-2..1 -> -i |] "contents"
            }
            test "ofArray builds a balanced tree of every size up to 1,000" {
                for n in 0..1000 do
                    let t = Tree.ofArray [| 0 .. n - 1 |]
                    Expect.isTrue (Tree.isValid t) "balanced"
                    Expect.equal (Tree.toArray t) [| 0 .. n - 1 |] "contents"
            }
        ]

let persistenceTests =
    testList
        "persistence"
        [
            testPropertyWithConfig config "old versions are unchanged by later operations" (fun (ops: PosOp list) ->
                let versions = ResizeArray<Tree<int> * int[]>()
                let mutable t = Tree.ofArray [| 0..20 |]

                for op in ops do
                    let n = Tree.count t

                    t <-
                        match op with
                        | InsertAt(i, x) -> Tree.insertAt (modulo (n + 1) i) x t
                        | RemoveAt i when n > 0 -> Tree.removeAt (modulo n i) t
                        | SetAt(i, x) when n > 0 -> Tree.setAt (modulo n i) x t
                        | PushFront x -> Tree.pushFront x t
                        | PushBack x -> Tree.pushBack x t
                        | Slice(s, c) ->
                            let s, c = range n s c
                            Tree.slice s c t
                        | ConcatBack xs -> Tree.concat t (Tree.ofArray (List.toArray xs))
                        | RemoveRange(s, c) ->
                            let s, c = range n s c
                            Tree.removeRange s c t
                        | _ -> t

                    versions.Add(t, Tree.toArray t)

                for v, snapshot in versions do
                    Expect.equal (Tree.toArray v) snapshot "unchanged")
        ]

/// Applies the positional ops that have owned variants, persistently (owner null) or owned.
let private applyOwned (owner: obj) (op: PosOp) (t: Tree<int>) =
    let n = Tree.count t

    match op with
    | InsertAt(i, x) -> Tree.insertAtOwned owner (modulo (n + 1) i) x t
    | RemoveAt i when n > 0 -> Tree.removeAtOwned owner (modulo n i) t
    | SetAt(i, x) when n > 0 -> Tree.setAtOwned owner (modulo n i) x t
    | PushFront x -> Tree.pushFrontOwned owner x t
    | PushBack x -> Tree.pushBackOwned owner x t
    | PopFront when n > 0 -> Tree.removeAtOwned owner 0 t
    | PopBack when n > 0 -> Tree.removeAtOwned owner (n - 1) t
    | _ -> t

let ownedTests =
    testList
        "owned edits"
        [
            testPropertyWithConfig config "give the same contents and shape as the persistent operations"
            <| fun (ops: PosOp list) ->
                let owner = obj ()
                let mutable p = Tree.ofArray [| 0..30 |]
                let mutable o = Tree.ofArray [| 0..30 |]

                for op in ops do
                    p <- applyOwned null op p
                    o <- applyOwned owner op o
                    Expect.equal (Tree.toArray o) (Tree.toArray p) "contents"
                    Expect.isTrue (Tree.isValid o) "sizes right and weight-balanced"
                    Expect.equal (Tree.height o) (Tree.height p) "height"
            testPropertyWithConfig config "never change a snapshot taken before a fresh owner took over"
            <| fun (before: PosOp list) (after: PosOp list) ->
                let first = obj ()
                let mutable t = Tree.ofArray [| 0..30 |]

                for op in before do
                    t <- applyOwned first op t

                let snapshot = t
                let saved = Tree.toArray snapshot
                // A persistent result of the owned tree, taken at the same point.
                let derived = Tree.pushBack -1 snapshot
                let second = obj ()

                for op in after do
                    t <- applyOwned second op t

                Expect.equal (Tree.toArray snapshot) saved "snapshot unchanged"
                Expect.equal (Tree.toArray derived) (Array.append saved [| -1 |]) "derived tree unchanged"
                Expect.isTrue (Tree.isValid snapshot) "snapshot still balanced"
            testPropertyWithConfig config "keep sorted contents as insertSorted and removeSorted do"
            <| fun (ops: SortedOp list) ->
                let owner = obj ()
                let model = SortedSet<int>()
                let mutable t = Tree.empty<int>

                for op in ops do
                    match op with
                    | Add k ->
                        let k = modulo 50 k
                        model.Add k |> ignore
                        t <- Tree.insertSortedOwned owner cmp k t
                    | Remove k ->
                        let k = modulo 50 k
                        let before = t
                        let count = Tree.count t

                        if model.Remove k then
                            t <- Tree.removeSortedOwned owner cmp k t
                        else
                            t <- Tree.removeSortedOwned owner cmp k t
                            Expect.isTrue (obj.ReferenceEquals(t, before)) "absent: the same instance"
                            Expect.equal (Tree.count t) count "absent: unchanged"

                    checkSorted model [ -1 .. 50 ] t
            test "with a null owner are the persistent operations" {
                let t = Tree.ofArray [| 1..100 |]
                let t2 = Tree.pushBackOwned null 101 t |> Tree.removeAtOwned null 0
                Expect.equal (Tree.toArray t) [| 1..100 |] "the original is unchanged"
                Expect.equal (Tree.toArray t2) [| 2..101 |] "the result"
            }
            test "on an owned path allocate one node per push and nothing per pop" {
                let owner = obj ()
                let mutable t = Tree.empty<int>

                for i in 0..9999 do
                    t <- Tree.pushBackOwned owner i t

                for i in 0..9999 do
                    t <- Tree.pushFrontOwned owner i t

                let before = System.GC.GetAllocatedBytesForCurrentThread()

                for i in 0..9999 do
                    t <- Tree.pushFrontOwned owner i (Tree.pushBackOwned owner i t)

                let pushes = System.GC.GetAllocatedBytesForCurrentThread() - before
                let before = System.GC.GetAllocatedBytesForCurrentThread()

                for _ in 0..9999 do
                    t <- Tree.removeAtOwned owner 0 (Tree.removeAtOwned owner (Tree.count t - 1) t)

                let pops = System.GC.GetAllocatedBytesForCurrentThread() - before
                // A node is 56 bytes; a new Tree wrapper (24) only when the root changes.
                Expect.isLessThan (float pushes / 20000.0) 100.0 "bytes per push"
                Expect.isLessThan (float pops / 20000.0) 30.0 "bytes per pop"
                Expect.isTrue (Tree.isValid t) "balanced"
                Expect.equal (Tree.count t) 20000 "count"
            }
        ]

let errorTests =
    testList
        "bounds"
        [
            test "positions outside the tree throw ArgumentOutOfRangeException" {
                let t = Tree.ofArray [| 1; 2; 3 |]

                let throws name f =
                    Expect.throwsT<System.ArgumentOutOfRangeException> (fun () -> f () |> ignore) name

                throws "item -1" (fun () -> Tree.item -1 t)
                throws "item count" (fun () -> Tree.item 3 t)
                throws "item of empty" (fun () -> Tree.item 0 Tree.empty<int>)
                throws "setAt count" (fun () -> Tree.setAt 3 0 t)
                throws "insertAt count + 1" (fun () -> Tree.insertAt 4 0 t)
                throws "removeAt count" (fun () -> Tree.removeAt 3 t)
                throws "slice past the end" (fun () -> Tree.slice 2 2 t)
                throws "slice negative count" (fun () -> Tree.slice 0 -1 t)
                throws "split past the end" (fun () -> Tree.split 4 t)
                throws "iterRange past the end" (fun () -> Tree.iterRange 1 3 ignore t)
                throws "copyRange into a short array" (fun () -> Tree.copyRange 0 3 (Array.zeroCreate 2) 0 t)
            }
            test "the empty tree answers counts, searches and ranges" {
                let e = Tree.empty<int>
                Expect.equal (Tree.count e, Tree.isEmpty e, Tree.toArray e) (0, true, [||]) "empty"
                Expect.equal (Tree.rank cmp 1 e, Tree.tryFind cmp 1 e) (-1, ValueNone) "searches"
                Expect.equal (Tree.lowerBound (fun _ -> true) e) 0 "lowerBound"
                Expect.isTrue (obj.ReferenceEquals(Tree.removeSorted cmp 1 e, e)) "removeSorted"
                Expect.isTrue (Tree.isEmpty (Tree.slice 0 0 e)) "slice"
                Expect.isTrue (obj.ReferenceEquals(Tree.removeAt 0 (Tree.pushBack 1 e), e)) "back to the shared empty"
            }
        ]

let tests =
    testList "Collections.Tree" [ modelTests; joinTests; bulkTests; persistenceTests; ownedTests; errorTests ]
