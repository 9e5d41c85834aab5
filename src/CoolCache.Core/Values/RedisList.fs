/// List values (t_list.c): a persistent sequence of byte strings over the size-annotated tree, so
/// pushes and pops at either end, LINDEX, LSET and LINSERT's insertion are O(log n), LRANGE is
/// O(log n + m) and LTRIM is O(log n) (a slice sharing structure). Redis's index rules (negative
/// from the tail, ranges clamped) live here; the commands are in Commands/ListCommands.fs.
/// Functions taking an `owner` are owned edits (Tree.pushBackOwned's contract): the list passed in
/// may be changed in place when owner is the live Db's owner token; a null owner copies paths.
namespace CoolCache.Core.Values

open CoolCache.Core
open CoolCache.Core.Collections

/// A list value: its elements first (LEFT, head) to last (RIGHT, tail).
type RedisList = Tree<Bytes>

/// The end of a list a command pushes to or pops from.
[<RequireQualifiedAccess; Struct>]
type ListEnd =
    /// The head (LPUSH, LPOP, LEFT).
    | Left
    /// The tail (RPUSH, RPOP, RIGHT).
    | Right

module RedisList =
    /// The empty list (never stored: a list that becomes empty is deleted).
    let empty: RedisList = Tree.empty

    /// O(1).
    let inline length (l: RedisList) = Tree.count l

    /// A list of these elements, in order. O(n).
    let ofArray (xs: Bytes[]) : RedisList = Tree.ofArray xs

    /// The elements in order. O(n).
    let toArray (l: RedisList) : Bytes[] = Tree.toArray l

    /// The position of a Redis index (negative counts from the tail: -1 is the last), or -1 when it
    /// is outside the list.
    let position (index: int64) (l: RedisList) : int =
        let n = int64 (length l)
        let i = if index < 0L then n + index else index
        if i >= 0L && i < n then int i else -1

    /// LRANGE/LTRIM's start..stop (inclusive, negative from the tail, clamped) as (first, count);
    /// count is 0 when the range is empty.
    let range (start: int64) (stop: int64) (l: RedisList) : struct (int * int) =
        let n = int64 (length l)
        let start = if start < 0L then max 0L (n + start) else start
        let stop = if stop < 0L then n + stop else stop

        if start > stop || start >= n then
            struct (0, 0)
        else
            let stop = min stop (n - 1L)
            struct (int start, int (stop - start + 1L))

    /// A copy sharing no node with l (COPY: owned edits of one must not reach the other). O(n).
    let copy (l: RedisList) : RedisList = Tree.ofArray (Tree.toArray l)

    /// argv[first..] pushed one by one at the given end (LPUSH a b c leaves c first). O(m log n);
    /// O(m + log n) for many elements at once.
    let push (owner: obj) (where: ListEnd) (argv: Bytes[]) (first: int) (l: RedisList) : RedisList =
        let m = argv.Length - first

        if m > 8 then
            let xs = argv[first..]

            match where with
            | ListEnd.Left ->
                System.Array.Reverse xs
                Tree.concat (Tree.ofArray xs) l
            | ListEnd.Right -> Tree.concat l (Tree.ofArray xs)
        else
            let mutable l = l

            for i in first .. argv.Length - 1 do
                l <-
                    match where with
                    | ListEnd.Left -> Tree.pushFrontOwned owner argv[i] l
                    | ListEnd.Right -> Tree.pushBackOwned owner argv[i] l

            l

    /// One element pushed at the given end. O(log n).
    let pushOne (owner: obj) (where: ListEnd) (x: Bytes) (l: RedisList) : RedisList =
        match where with
        | ListEnd.Left -> Tree.pushFrontOwned owner x l
        | ListEnd.Right -> Tree.pushBackOwned owner x l

    /// The first (Left) or last (Right) element and the list without it (the list must not be empty).
    /// O(log n).
    let popOne (owner: obj) (where: ListEnd) (l: RedisList) : struct (Bytes * RedisList) =
        match where with
        | ListEnd.Left ->
            let x = Tree.item 0 l
            struct (x, Tree.removeAtOwned owner 0 l)
        | ListEnd.Right ->
            let last = length l - 1
            let x = Tree.item last l
            struct (x, Tree.removeAtOwned owner last l)

    /// Up to count elements popped from one end, in pop order (from Right: the last element first),
    /// and the rest. O(log n + count).
    let pop (where: ListEnd) (count: int64) (l: RedisList) : struct (Bytes[] * RedisList) =
        let n = length l
        let k = int (min count (int64 n))
        let out = Array.zeroCreate<Bytes> k

        match where with
        | ListEnd.Left ->
            Tree.copyRange 0 k out 0 l
            struct (out, Tree.slice k (n - k) l)
        | ListEnd.Right ->
            Tree.copyRange (n - k) k out 0 l
            System.Array.Reverse out
            struct (out, Tree.slice 0 (n - k) l)

    /// The element at a Redis index, if any. O(log n).
    let tryItem (index: int64) (l: RedisList) : Bytes voption =
        match position index l with
        | -1 -> ValueNone
        | i -> ValueSome(Tree.item i l)

    /// The list with the element at a Redis index replaced, or ValueNone when the index is outside.
    /// O(log n).
    let trySet (owner: obj) (index: int64) (x: Bytes) (l: RedisList) : RedisList voption =
        match position index l with
        | -1 -> ValueNone
        | i -> ValueSome(Tree.setAtOwned owner i x l)

    /// The count elements from position first, in order. O(log n + count).
    let slice (first: int) (count: int) (l: RedisList) : Bytes[] =
        let out = Array.zeroCreate<Bytes> count
        Tree.copyRange first count out 0 l
        out

    /// Elements visited per copy when scanning.
    [<Literal>]
    let private ScanChunk = 64

    /// Visits the positions of the elements equal to x, from the head (or from the tail when
    /// fromTail), looking at no more than maxVisit elements (0: all), until onMatch returns false.
    /// O(visited + log n per 64 visited), one small buffer.
    let scan (fromTail: bool) (maxVisit: int64) (x: Bytes) (onMatch: int -> bool) (l: RedisList) =
        let n = length l

        let limit =
            if maxVisit <= 0L || maxVisit > int64 n then
                n
            else
                int maxVisit

        let buf = Array.zeroCreate<Bytes>(min ScanChunk limit)
        let mutable visited = 0
        let mutable go = true

        while go && visited < limit do
            let m = min buf.Length (limit - visited)

            if fromTail then
                let start = n - visited - m
                Tree.copyRange start m buf 0 l
                let mutable j = m - 1

                while go && j >= 0 do
                    if Bytes.equals buf[j] x then
                        go <- onMatch (start + j)

                    j <- j - 1
            else
                Tree.copyRange visited m buf 0 l
                let mutable j = 0

                while go && j < m do
                    if Bytes.equals buf[j] x then
                        go <- onMatch (visited + j)

                    j <- j + 1

            visited <- visited + m

    /// The position of the first element equal to x from the head, or -1. O(position + log n).
    let indexOf (x: Bytes) (l: RedisList) : int =
        let mutable found = -1

        l
        |> scan false 0L x (fun i ->
            found <- i
            false)

        found

    /// LINSERT: value inserted before (or after) the first element equal to pivot; ValueNone when
    /// there is no such element. O(position + log n).
    let tryInsert (owner: obj) (before: bool) (pivot: Bytes) (value: Bytes) (l: RedisList) : RedisList voption =
        match indexOf pivot l with
        | -1 -> ValueNone
        | i -> ValueSome(Tree.insertAtOwned owner (if before then i else i + 1) value l)

    /// The list without the elements at these positions (ascending, distinct). Few positions: one
    /// removal each; many: one rebuild.
    let private removePositions (owner: obj) (positions: ResizeArray<int>) (l: RedisList) : RedisList =
        let n = length l
        let k = positions.Count

        if k = 0 then
            l
        elif k * 32 <= n then
            let mutable l = l

            for j in k - 1 .. -1 .. 0 do
                l <- Tree.removeAtOwned owner positions[j] l

            l
        else
            let all = Tree.toArray l
            let kept = Array.zeroCreate<Bytes>(n - k)
            let mutable p = 0
            let mutable o = 0

            for i in 0 .. n - 1 do
                if p < k && positions[p] = i then
                    p <- p + 1
                else
                    kept[o] <- all[i]
                    o <- o + 1

            Tree.ofArray kept

    /// LREM: removes the first count elements equal to x from the head (count > 0), the last -count
    /// from the tail (count < 0), or all of them (count = 0; also Int64.MinValue, whose negation
    /// overflows in Redis and never stops the loop). Returns how many went and the list (the same
    /// instance when none did). O(n).
    let remove (owner: obj) (count: int64) (x: Bytes) (l: RedisList) : struct (int * RedisList) =
        let fromTail = count < 0L

        let limit =
            if count = 0L || count = System.Int64.MinValue then
                System.Int64.MaxValue
            else
                abs count

        let positions = ResizeArray<int>()

        l
        |> scan fromTail 0L x (fun i ->
            positions.Add i
            int64 positions.Count < limit)

        if fromTail then
            positions.Reverse()

        struct (positions.Count, removePositions owner positions l)

    /// LTRIM start stop: the elements of that range (the same instance when it is the whole list;
    /// empty when the range is). O(log n).
    let trim (start: int64) (stop: int64) (l: RedisList) : RedisList =
        let struct (first, count) = range start stop l
        Tree.slice first count l
