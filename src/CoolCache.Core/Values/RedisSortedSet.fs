/// Sorted set values (t_zset.c "Sorted set API"): member → score in the persistent HashMap, and the
/// (score, member) index in the ScoreTree (a B+tree with subtree sizes) ordered by score, then member
/// bytes (memcmp), as Redis's skiplist orders it: ranks, score ranges and lex ranges are O(log n)
/// searches of the index.
/// Writes take the owner token of the Db holding the set: map and tree nodes stamped with it are edited
/// in place, so a sorted set never shares nodes with another key (COPY and the store commands build
/// fresh ones with `ofSorted` / `duplicate`).
namespace CoolCache.Core.Values

open System
open System.Collections.Generic
open CoolCache.Core
open CoolCache.Core.Collections

/// A sorted set value. OBJECT ENCODING is "listpack" until a member is added past
/// zset-max-listpack-entries members or longer than zset-max-listpack-value bytes, then "skiplist" for
/// good (zsetAdd converts on insert, never back).
[<Struct>]
type RedisSortedSet =
    {
        Scores: HashMap<Bytes, float>
        Index: ScoreTree
        /// Converted to "skiplist" (one-way, as in Redis).
        Skiplist: bool
    }

/// The listpack thresholds in force when a member is added (zset-max-listpack-entries / -value).
[<Struct>]
type SortedSetLimits =
    {
        MaxMembers: int64
        MaxMemberBytes: int64
    }

/// A score interval (zrangespec): each end inclusive or exclusive ("(" in the argument).
[<Struct>]
type ScoreRange =
    {
        Min: float
        MinExclusive: bool
        Max: float
        MaxExclusive: bool
    }

/// One end of a lex interval (zlexrangespec): "-" (before every string), "+" (after every string), or
/// a string, inclusive ("[") or exclusive ("(").
[<Struct>]
type LexBound =
    {
        /// -1 for "-", 1 for "+", 0 for a string.
        Infinite: int
        Value: Bytes
        Exclusive: bool
    }

[<Struct>]
type LexRange = { Min: LexBound; Max: LexBound }

module RedisSortedSet =
    let private order = ScoreOrder.Instance :> IComparer<ScoredMember>

    let inline private entry (score: float) (m: Bytes) = { Score = score; Member = m }

    /// The empty sorted set a first ZADD starts from ("listpack"; persistent: never edited in place).
    let empty =
        {
            Scores = HashMap.empty BytesComparer.Instance
            Index = ScoreTree.empty
            Skiplist = false
        }

    /// Number of members. O(1).
    let inline count (z: RedisSortedSet) = z.Scores.Count

    /// The score of a member. O(log32 n).
    let inline tryScore (m: Bytes) (z: RedisSortedSet) = z.Scores.TryFind m

    /// The name OBJECT ENCODING replies with.
    let encoding (z: RedisSortedSet) =
        if z.Skiplist then "skiplist" else "listpack"

    /// The score a set keeps: a listpack stores scores as text (d2string), where -0 is written "0".
    let inline private kept (skiplist: bool) (score: float) =
        if not skiplist && score = 0.0 then 0.0 else score

    /// Add a member that is not in the set (zsetAdd's insert): the set converts to "skiplist" first when
    /// it would pass the entries limit or the member is longer than the value limit. O(log n).
    let insert (owner: obj) (limits: SortedSetLimits) (m: Bytes) (score: float) (z: RedisSortedSet) =
        let skiplist =
            z.Skiplist
            || int64 z.Scores.Count + 1L > limits.MaxMembers
            || int64 m.Length > limits.MaxMemberBytes

        let score = kept skiplist score

        {
            Scores = z.Scores.AddOwned(owner, m, score)
            Index = ScoreTree.insertOwned owner (entry score m) z.Index
            Skiplist = skiplist
        }

    /// Give a member (in the set with score `old`) a new score: moved inside its leaf of the index when
    /// its new place is there (as when its neighbours stay in order), else removed and inserted. O(log n).
    let rescore (owner: obj) (m: Bytes) (old: float) (score: float) (z: RedisSortedSet) =
        let score = kept z.Skiplist score

        { z with
            Scores = z.Scores.AddOwned(owner, m, score)
            Index = ScoreTree.replaceOwned owner (entry old m) (entry score m) z.Index
        }

    /// ZADD's pair without options: m gets score, added or rescored. Returns the set and 1 when m was
    /// added, 2 when its score changed, 0 when it had that score already (-0 and 0 are one score: nothing
    /// is written). On an owned path the member map is walked once (and keeps its member bytes). O(log n).
    let upsert
        (owner: obj)
        (limits: SortedSetLimits)
        (m: Bytes)
        (score: float)
        (z: RedisSortedSet)
        : struct (RedisSortedSet * int) =
        let stored = kept z.Skiplist score
        let mutable key = null
        let mutable old = 0.0

        match z.Scores.TryExchangeOwned(owner, m, stored, &key, &old) with
        | 1 ->
            if old = score then
                // Written back when its bits differ (0 and -0).
                if BitConverter.DoubleToInt64Bits old <> BitConverter.DoubleToInt64Bits stored then
                    z.Scores.TryExchangeOwned(owner, m, old, &key, &old) |> ignore

                struct (z, 0)
            else
                struct ({ z with
                            Index = ScoreTree.replaceOwned owner (entry old key) (entry stored key) z.Index
                        },
                        2)
        | 0 -> struct (insert owner limits m score z, 1)
        | _ ->
            match z.Scores.TryFind m with
            | ValueSome old when old = score -> struct (z, 0)
            | ValueSome old -> struct (rescore owner m old score z, 2)
            | ValueNone -> struct (insert owner limits m score z, 1)

    /// The set without m, and whether m was a member. O(log n).
    let remove (owner: obj) (m: Bytes) (z: RedisSortedSet) : struct (RedisSortedSet * bool) =
        match z.Scores.TryFind m with
        | ValueNone -> struct (z, false)
        | ValueSome score ->
            let struct (index, _) = ScoreTree.removeOwned owner (entry score m) z.Index

            struct ({ z with
                        Scores = z.Scores.RemoveOwned(owner, m)
                        Index = index
                    },
                    true)

    /// The 0-based rank of m in ascending order, or -1. O(log n).
    let rank (m: Bytes) (z: RedisSortedSet) =
        match z.Scores.TryFind m with
        | ValueSome score -> ScoreTree.rank (entry score m) z.Index
        | ValueNone -> -1

    /// The entry at rank i (ascending). O(log n).
    let inline item (i: int) (z: RedisSortedSet) = ScoreTree.item i z.Index

    /// The entries at ranks [start, start + n), ascending. O(log n + n).
    let slice (start: int) (n: int) (z: RedisSortedSet) : ScoredMember[] =
        let result = Array.zeroCreate n
        ScoreTree.copyRange start n result 0 z.Index
        result

    /// The entries at ranks [start, start + n), descending (from start + n - 1 down). O(log n + n).
    let sliceBack (start: int) (n: int) (z: RedisSortedSet) : ScoredMember[] =
        let result = slice start n z
        Array.Reverse result
        result

    /// Every entry, ascending. O(n).
    let toArray (z: RedisSortedSet) = ScoreTree.toArray z.Index

    /// The set without the entries at ranks [start, start + n), and those entries (ascending). O(log n + n).
    let removeRange (owner: obj) (start: int) (n: int) (z: RedisSortedSet) : struct (RedisSortedSet * ScoredMember[]) =
        let removed = slice start n z
        let mutable scores = z.Scores

        for e in removed do
            scores <- scores.RemoveOwned(owner, e.Member)

        struct ({ z with
                    Scores = scores
                    Index = ScoreTree.removeRangeOwned owner start n z.Index
                },
                removed)

    // ---- Ranges ---------------------------------------------------------------------------------

    let inline private gteMin (r: ScoreRange) (score: float) =
        if r.MinExclusive then score > r.Min else score >= r.Min

    let inline private lteMax (r: ScoreRange) (score: float) =
        if r.MaxExclusive then score < r.Max else score <= r.Max

    /// The rank of the first entry whose score is >= min (> min when exclusive). O(log n).
    let inline private firstInRange (r: ScoreRange) (z: RedisSortedSet) =
        ScoreTree.countScoreBelow r.Min r.MinExclusive z.Index

    /// The rank of the first entry whose score is > max (>= max when exclusive). O(log n).
    let inline private pastRange (r: ScoreRange) (z: RedisSortedSet) =
        ScoreTree.countScoreBelow r.Max (not r.MaxExclusive) z.Index

    /// The ranks [first, first + n) of the members whose scores are in range (scores are sorted, so
    /// the same set a listpack's linear scan finds). O(log n).
    let scoreSpan (r: ScoreRange) (z: RedisSortedSet) : struct (int * int) =
        let first = firstInRange r z
        let stop = pastRange r z
        struct (first, max 0 (stop - first))

    /// The entries a LIMIT offset count read of a score range returns (genericZrangebyscoreCommand), in
    /// reading order: from the lowest score in range up (or the highest down when reverse), skipping
    /// offset entries, then while in range, at most count of them (a negative count: no limit; a negative
    /// offset: nothing). A small count is read with one search, as the skiplist walk does. O(log n + m).
    let scoreWindow (r: ScoreRange) (offset: int64) (limit: int64) (reverse: bool) (z: RedisSortedSet) =
        let size = int64 (count z)
        // Past the size reads nothing anyway; clamped, offset arithmetic cannot overflow.
        let offset = min offset size

        if offset < 0L || size = 0L then
            [||]
        elif limit >= 0L && limit <= 128L then
            // Search the range's first end only; read up to limit entries past offset and keep the
            // ones before the first out of range.
            let edge =
                if reverse then
                    int64 (pastRange r z) - 1L - offset
                else
                    int64 (firstInRange r z) + offset

            let take =
                if reverse then
                    min limit (edge + 1L)
                else
                    min limit (size - edge)

            if edge < 0L || edge >= size || take <= 0L then
                [||]
            else
                let read =
                    if reverse then
                        sliceBack (int (edge - take + 1L)) (int take) z
                    else
                        slice (int edge) (int take) z

                let keep =
                    if reverse then
                        Array.tryFindIndex (fun e -> not (gteMin r e.Score)) read
                    else
                        Array.tryFindIndex (fun e -> not (lteMax r e.Score)) read

                match keep with
                | Some n -> Array.sub read 0 n
                | None -> read
        else
            let struct (first, n) = scoreSpan r z

            if offset >= int64 n then
                [||]
            else
                let avail = int64 n - offset
                let take = int (if limit < 0L then avail else min limit avail)

                if reverse then
                    sliceBack (first + n - int offset - take) take z
                else
                    slice (first + int offset) take z

    /// sdscmplex for two bounds: "-" and "+" compare as the smallest and largest strings.
    let private compareBounds (a: LexBound) (b: LexBound) =
        if a.Infinite <> 0 || b.Infinite <> 0 then
            compare a.Infinite b.Infinite
        else
            Bytes.compare a.Value b.Value

    let inline private vsBound (m: Bytes) (b: LexBound) =
        if b.Infinite < 0 then 1
        elif b.Infinite > 0 then -1
        else Bytes.compare m b.Value

    let inline private lexGteMin (r: LexRange) (m: Bytes) =
        let c = vsBound m r.Min
        if r.Min.Exclusive then c > 0 else c >= 0

    let inline private lexLteMax (r: LexRange) (m: Bytes) =
        let c = vsBound m r.Max
        if r.Max.Exclusive then c < 0 else c <= 0

    /// zslIsInLexRange / zzlIsInLexRange: false when the range is empty, the last member is below min
    /// or the first member above max.
    let private mayHitLex (r: LexRange) (z: RedisSortedSet) =
        let n = count z
        let c = compareBounds r.Min r.Max

        n > 0
        && not (c > 0 || (c = 0 && (r.Min.Exclusive || r.Max.Exclusive)))
        && lexGteMin r (item (n - 1) z).Member
        && lexLteMax r (item 0 z).Member

    /// The first rank from `from` (going up) whose member does not satisfy keep; count when none.
    let private scanUp (keep: Bytes -> bool) (from: int) (z: RedisSortedSet) =
        let n = count z
        let mutable i = from

        while i < n && keep (item i z).Member do
            i <- i + 1

        i

    /// The first rank from `from` (going down) whose member does not satisfy keep; -1 when none.
    let private scanDown (keep: Bytes -> bool) (from: int) (z: RedisSortedSet) =
        let mutable i = from

        while i >= 0 && keep (item i z).Member do
            i <- i - 1

        i

    /// Whether lex searches may be binary: a skiplist whose members all have one score (first = last),
    /// so that members are in lex order. Lex ranges are documented for that case only. With mixed
    /// scores Redis scans a listpack linearly from its head (zzlFirstInLexRange) but searches a skiplist
    /// through its random levels (unpredictable); here both walk linearly, as the listpack does.
    let private searchable (z: RedisSortedSet) =
        z.Skiplist && (item 0 z).Score = (item (count z - 1) z).Score

    /// The ranks [first, first + n) from the first member >= min while members stay <= max (ZRANGEBYLEX,
    /// ZLEXCOUNT, ZREMRANGEBYLEX).
    let lexSpan (r: LexRange) (z: RedisSortedSet) : struct (int * int) =
        if not (mayHitLex r z) then
            struct (0, 0)
        else
            let first =
                if searchable z then
                    ScoreTree.lowerBound (fun e -> lexGteMin r e.Member) z.Index
                else
                    scanUp (fun m -> not (lexGteMin r m)) 0 z

            if first >= count z || not (lexLteMax r (item first z).Member) then
                struct (0, 0)
            else
                let stop =
                    if searchable z then
                        max (first + 1) (ScoreTree.lowerBound (fun e -> not (lexLteMax r e.Member)) z.Index)
                    else
                        scanUp (lexLteMax r) (first + 1) z

                struct (first, stop - first)

    /// The ranks [lo, lo + n) of the members from the last one <= max down while members stay >= min
    /// (ZREVRANGEBYLEX: zzlLastInLexRange then backwards).
    let lexSpanBack (r: LexRange) (z: RedisSortedSet) : struct (int * int) =
        if not (mayHitLex r z) then
            struct (0, 0)
        else
            let last =
                if searchable z then
                    ScoreTree.lowerBound (fun e -> not (lexLteMax r e.Member)) z.Index - 1
                else
                    scanDown (fun m -> not (lexLteMax r m)) (count z - 1) z

            if last < 0 || not (lexGteMin r (item last z).Member) then
                struct (0, 0)
            else
                let lo =
                    if searchable z then
                        min last (ScoreTree.lowerBound (fun e -> lexGteMin r e.Member) z.Index)
                    else
                        scanDown (lexGteMin r) (last - 1) z + 1

                struct (lo, last - lo + 1)

    /// The entries a LIMIT offset count read of a lex range returns (genericZrangebylexCommand), in
    /// reading order: from the first member in range up (or the last down when reverse), offset entries
    /// skipped whatever they hold, then entries while within the range's far end, at most count of them
    /// (a negative count: no limit; a negative offset: nothing). O(log n + m) for a skiplist.
    let lexWindow (r: LexRange) (offset: int64) (limit: int64) (reverse: bool) (z: RedisSortedSet) =
        let size = count z

        let taken (n: int) =
            if limit < 0L then n else int (min limit (int64 n))

        // Past the size reads nothing anyway; clamped, offset arithmetic cannot overflow.
        let offset = min offset (int64 size)

        if offset < 0L then
            [||]
        elif not reverse then
            let struct (first, n) = lexSpan r z
            let start = int64 first + offset

            if n = 0 || start >= int64 size then
                [||]
            else
                let start = int start

                let stop =
                    if searchable z then
                        max start (ScoreTree.lowerBound (fun e -> not (lexLteMax r e.Member)) z.Index)
                    else
                        scanUp (lexLteMax r) start z

                slice start (taken (stop - start)) z
        else
            let struct (lo, n) = lexSpanBack r z
            let start = int64 (lo + n - 1) - offset

            if n = 0 || start < 0L then
                [||]
            else
                let start = int start

                let low =
                    if searchable z then
                        min (start + 1) (ScoreTree.lowerBound (fun e -> lexGteMin r e.Member) z.Index)
                    else
                        scanDown (lexGteMin r) start z + 1

                let take = taken (start - low + 1)
                sliceBack (start - take + 1) take z

    // ---- Building and copying -------------------------------------------------------------------

    /// A new set of entries already in ScoreOrder with distinct members (store commands): "listpack"
    /// when it fits the limits (zsetConvertToListpackIfNeeded), which writes -0 as 0. O(n log n).
    let ofSorted (limits: SortedSetLimits) (entries: ScoredMember[]) =
        let skiplist =
            int64 entries.Length > limits.MaxMembers
            || entries |> Array.exists (fun e -> int64 e.Member.Length > limits.MaxMemberBytes)

        let entries =
            if skiplist then
                entries
            else
                entries |> Array.map (fun e -> entry (kept false e.Score) e.Member)

        {
            Scores = HashMap.ofSeq BytesComparer.Instance (entries |> Seq.map (fun e -> e.Member, e.Score))
            Index = ScoreTree.ofSorted entries
            Skiplist = skiplist
        }

    /// A new set built by adding entries with distinct members one by one (ZRANGESTORE): to a skiplist
    /// from the start when the length is known in advance and past the entries limit (Redis's
    /// zrangeResultBeginStore), else to a listpack that converts at the first entry past the limits;
    /// the scores added to the listpack were written as text (-0 as 0). O(n log n).
    let ofAdds (limits: SortedSetLimits) (knownLength: bool) (entries: ScoredMember[]) =
        let stored = Array.zeroCreate entries.Length
        let mutable skiplist = knownLength && int64 entries.Length > limits.MaxMembers

        for i in 0 .. entries.Length - 1 do
            let e = entries[i]

            skiplist <-
                skiplist
                || int64 i + 1L > limits.MaxMembers
                || int64 e.Member.Length > limits.MaxMemberBytes

            stored[i] <- entry (kept skiplist e.Score) e.Member

        Array.Sort(stored, order)

        {
            Scores = HashMap.ofSeq BytesComparer.Instance (stored |> Seq.map (fun e -> e.Member, e.Score))
            Index = ScoreTree.ofSorted stored
            Skiplist = skiplist
        }

    /// An equal set with nodes of its own and the same encoding (COPY: zsetDup). O(n log n).
    let duplicate (z: RedisSortedSet) =
        let entries = toArray z

        {
            Scores = HashMap.ofSeq BytesComparer.Instance (entries |> Seq.map (fun e -> e.Member, e.Score))
            Index = ScoreTree.ofSorted entries
            Skiplist = z.Skiplist
        }

    /// One ZSCAN step over the member map (see HashMap.scan): the next cursor (0 = done) and entries.
    let scan (cursor: uint64) (n: int) (z: RedisSortedSet) = HashMap.scan cursor n z.Scores

    // ---- Random members (ZRANDMEMBER) -----------------------------------------------------------

    /// SplitMix64: the next state and a well-mixed output.
    let inline private next (state: byref<uint64>) =
        state <- state + 0x9E3779B97F4A7C15UL
        let z = state
        let z = (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
        let z = (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
        z ^^^ (z >>> 31)

    /// A uniformly chosen entry of a non-empty set. O(log n).
    let randomEntry (seed: uint64) (z: RedisSortedSet) =
        let mutable state = seed
        item (int ((next &state) % uint64 (count z))) z

    /// n entries drawn independently and uniformly (repeats possible), in draw order (a negative
    /// count). The set must not be empty. O(n log size).
    let randomEntries (seed: uint64) (n: int) (z: RedisSortedSet) : ScoredMember[] =
        let mutable state = seed
        let size = uint64 (count z)
        Array.init n (fun _ -> item (int ((next &state) % size)) z)

    /// n distinct entries (0 < n < size) in random order, each subset equally likely: a partial
    /// Fisher-Yates shuffle of the ranks when n is near the size (Redis's CASE 3), otherwise draws of
    /// ranks until n distinct (CASE 4). O(size) or O(n log size) expected.
    let randomDistinct (seed: uint64) (n: int) (z: RedisSortedSet) : ScoredMember[] =
        let size = count z
        let mutable state = seed

        if int64 n * 3L > int64 size then
            let ranks = Array.init size id

            for i in 0 .. n - 1 do
                let j = i + int ((next &state) % uint64 (size - i))
                let t = ranks[i]
                ranks[i] <- ranks[j]
                ranks[j] <- t

            Array.init n (fun i -> item ranks[i] z)
        else
            let seen = HashSet<int>()
            let result = ResizeArray<ScoredMember>(n)

            while result.Count < n do
                let r = int ((next &state) % uint64 size)

                if seen.Add r then
                    result.Add(item r z)

            result.ToArray()
