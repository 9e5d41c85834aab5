/// SORT and SORT_RO (sort.c, Redis 7.0): the elements of a list, set or sorted set, sorted by their
/// numeric value, as strings (ALPHA) or by weights read through a BY pattern, with LIMIT, GET patterns
/// and STORE. Redis's quirks are kept on purpose: patterns and ALPHA comparisons are C strings (they stop
/// at a NUL byte), scores are read with strtod, ties keep the order glibc's stable qsort or Redis's
/// pqsort leaves them in, and BY without '*' skips sorting.
module CoolCache.Core.Commands.SortCommands

open System
open System.Numerics
open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.State
open CoolCache.Core.Commands.Args

// ---- Options ----------------------------------------------------------------------------------

[<NoComparison; NoEquality>]
type private SortOptions =
    {
        Desc: bool
        Alpha: bool
        LimitStart: int64
        /// Negative: to the end.
        LimitCount: int64
        /// The last BY pattern, if any.
        By: Bytes voption
        /// Some BY pattern had no '*' (Redis never clears this: a later BY with '*' still skips sorting).
        DontSort: bool
        Gets: Bytes[]
        Store: Bytes voption
    }

/// The length of b as a C string: up to its first NUL.
let private cLength (b: Bytes) =
    match Array.IndexOf(b, 0uy) with
    | -1 -> b.Length
    | i -> i

/// strchr(pattern, '*'): the first '*' before any NUL, or -1.
let private starIndex (pattern: Bytes) =
    let i = Array.IndexOf(pattern, '*'B)
    if i >= 0 && i < cLength pattern then i else -1

/// Reads the options left to right (sortCommandGeneric): the first bad one is the error, before the
/// key is looked at. STORE is not an option of SORT_RO (syntax error); LIMIT needs two arguments and
/// BY, GET and STORE one, or they are syntax errors too; repeated options: the last one wins, GETs add up.
let private parseOptions (readOnly: bool) (argv: Bytes[]) : Result<SortOptions, RedisError> =
    let gets = ResizeArray<Bytes>()

    let mutable o =
        {
            Desc = false
            Alpha = false
            LimitStart = 0L
            LimitCount = -1L
            By = ValueNone
            DontSort = false
            Gets = [||]
            Store = ValueNone
        }

    let mutable error = ValueNone
    let mutable j = 2

    while error.IsNone && j < argv.Length do
        let left = argv.Length - j - 1
        let a = argv[j]

        if is "ASC" a then
            o <- { o with Desc = false }
        elif is "DESC" a then
            o <- { o with Desc = true }
        elif is "ALPHA" a then
            o <- { o with Alpha = true }
        elif is "LIMIT" a && left >= 2 then
            match readInt64 argv[j + 1], readInt64 argv[j + 2] with
            | Ok start, Ok count ->
                o <-
                    { o with
                        LimitStart = start
                        LimitCount = count
                    }
            | Error e, _
            | _, Error e -> error <- ValueSome e

            j <- j + 2
        elif not readOnly && is "STORE" a && left >= 1 then
            o <- { o with Store = ValueSome argv[j + 1] }
            j <- j + 1
        elif is "BY" a && left >= 1 then
            o <-
                { o with
                    By = ValueSome argv[j + 1]
                    DontSort = o.DontSort || starIndex argv[j + 1] < 0
                }

            j <- j + 1
        elif is "GET" a && left >= 1 then
            gets.Add argv[j + 1]
            j <- j + 1
        else
            error <- ValueSome RedisError.Syntax

        j <- j + 1

    match error with
    | ValueSome e -> Error e
    | ValueNone -> Ok { o with Gets = gets.ToArray() }

/// LIMIT start count against n elements, clamped first as Redis 7.0.15 does (so nothing overflows):
/// the output is the sorted elements first..last (none when last < first).
let private limits (start: int64) (count: int64) (n: int) : struct (int * int) =
    let n = int64 n
    let start = min (max start 0L) n
    let count = min (max count -1L) n
    let last = if count < 0L then n - 1L else start + count - 1L

    let struct (first, last) =
        if start >= n then
            struct (n - 1L, n - 2L)
        else
            struct (start, last)

    struct (int first, int (min last (n - 1L)))

// ---- Elements ---------------------------------------------------------------------------------

/// The elements SORT reads from a key.
[<NoComparison; NoEquality>]
type private SortSource =
    {
        Count: int
        /// count elements from position first, in the value's own order.
        Slice: int -> int -> Bytes[]
        /// The value has an order of its own (a list; a sorted set by score): BY nosort returns it,
        /// LIMIT taking a range of it and DESC reading it backwards. A set's order is its iteration
        /// order: BY nosort returns that as it is (DESC ignored), and with STORE sorts ALPHA instead.
        Ordered: bool
    }

/// A missing key sorts as an empty list.
let private noElements =
    {
        Count = 0
        Slice = fun _ _ -> [||]
        Ordered = true
    }

/// The elements of a value SORT accepts (lists, sets, sorted sets), or WRONGTYPE.
let private sourceOf (v: Value) : Result<SortSource, RedisError> =
    match v with
    | Value.List l ->
        Ok
            {
                Count = RedisList.length l
                Slice = fun first count -> RedisList.slice first count l
                Ordered = true
            }
    | Value.Set set ->
        Ok
            {
                Count = RedisSet.count set
                Slice =
                    fun first count ->
                        // Ascending for an intset, as Redis iterates one; else our hash order.
                        let all = RedisSet.toArray set

                        if first = 0 && count = all.Length then
                            all
                        else
                            Array.sub all first count
                Ordered = false
            }
    // Members by rank (ascending score, as ZRANGE). sortGeneric marks the set "skiplist", as Redis converts it.
    | Value.SortedSet z ->
        Ok
            {
                Count = RedisSortedSet.count z
                Slice = fun first count -> RedisSortedSet.slice first count z |> Array.map (fun e -> e.Member)
                Ordered = true
            }
    | _ -> Error RedisError.WrongType

// ---- Patterns ---------------------------------------------------------------------------------

/// The value a BY or GET pattern names for an element (lookupKeyByPattern): "#" is the element itself;
/// otherwise the first '*' is replaced by the element and the key read as a string, or, when "->" and
/// a field follow the '*', the field of the hash at that key. A missing key or field, a key of another
/// type or a pattern without '*' give nothing. The searches are C-string ones (they stop at a NUL), the
/// key's tail and the field are the pattern's bytes to its end. A key looked up and not found is added
/// to misses (unless null): Redis reads it with lookupKeyRead, which tells "keymiss".
let private lookupByPattern
    (now: int64)
    (db: Db)
    (misses: ResizeArray<Bytes>)
    (pattern: Bytes)
    (element: Bytes)
    : Bytes voption =
    let cLen = cLength pattern

    if cLen = 1 && pattern[0] = '#'B then
        ValueSome element
    else
        match starIndex pattern with
        | -1 -> ValueNone
        | star ->
            let arrow =
                match ReadOnlySpan<byte>(pattern, star + 1, cLen - star - 1).IndexOf("->"B) with
                | -1 -> -1
                | i -> star + 1 + i

            // "->" at the end of the C string is not a field reference: it stays in the key name.
            let hasField = arrow >= 0 && arrow + 2 < cLen

            let keyTail =
                if hasField then
                    arrow - star - 1
                else
                    pattern.Length - star - 1

            let key = Array.zeroCreate<byte>(star + element.Length + keyTail)
            Buffer.BlockCopy(pattern, 0, key, 0, star)
            Buffer.BlockCopy(element, 0, key, star, element.Length)
            Buffer.BlockCopy(pattern, star + 1, key, star + element.Length, keyTail)

            match Db.tryGet now key db with
            | ValueNone ->
                if not (isNull misses) then
                    misses.Add key

                ValueNone
            | ValueSome(Value.Hash h) when hasField -> RedisHash.tryGet pattern[arrow + 2 ..] h
            | ValueSome _ when hasField -> ValueNone
            | ValueSome v -> Value.tryString v

// ---- Scores -----------------------------------------------------------------------------------

/// C isspace in the C locale.
let inline private isCSpace (c: byte) = c = ' 'B || (c >= 9uy && c <= 13uy)

/// The exact value of a strtod literal (already validated; sign ignored) as m * radix^e, radix 10 or 2.
let private literalValue (s: ReadOnlySpan<byte>) : struct (BigInteger * int * int64) =
    let mutable i = if s[0] = '+'B || s[0] = '-'B then 1 else 0
    let hex = i + 1 < s.Length && s[i] = '0'B && (s[i + 1] = 'x'B || s[i + 1] = 'X'B)

    if hex then
        i <- i + 2

    let radix = if hex then 16 else 10
    let mutable m = BigInteger.Zero
    let mutable fraction = 0L
    let mutable dot = false
    let mutable go = true

    while go && i < s.Length do
        let c = s[i]

        let d =
            if c >= '0'B && c <= '9'B then int (c - '0'B)
            elif hex && c >= 'a'B && c <= 'f'B then int (c - 'a'B) + 10
            elif hex && c >= 'A'B && c <= 'F'B then int (c - 'A'B) + 10
            else -1

        if d >= 0 then
            m <- m * BigInteger(radix) + BigInteger(d)

            if dot then
                fraction <- fraction + 1L

            i <- i + 1
        elif c = '.'B && not dot then
            dot <- true
            i <- i + 1
        else
            go <- false

    let mutable exponent = 0L

    if i < s.Length then
        i <- i + 1 // 'e' or 'p'
        let negative = s[i] = '-'B

        if s[i] = '-'B || s[i] = '+'B then
            i <- i + 1

        while i < s.Length do
            if exponent < 1_000_000_000L then
                exponent <- exponent * 10L + int64 (s[i] - '0'B)

            i <- i + 1

        if negative then
            exponent <- -exponent

    if hex then
        struct (m, 2, exponent - 4L * fraction)
    else
        struct (m, 10, exponent - fraction)

/// glibc's strtod sets ERANGE for a subnormal result that is not the literal's exact value.
let private isInexactSubnormal (literal: ReadOnlySpan<byte>) (v: float) =
    let a = abs v

    if a = 0.0 || a >= 2.2250738585072014e-308 || Double.IsInfinity a then
        false
    else
        // a = k * 2^-1074; the literal is m * radix^e: exact iff m * radix^e * 2^1074 = k.
        let k = BigInteger(BitConverter.DoubleToInt64Bits a)
        let struct (m, radix, e) = literalValue literal

        if radix = 2 then
            let shift = e + 1074L

            if shift >= 0L then
                shift > 64L || (m <<< int shift) <> k
            else
                shift < -100_000L || m <> (k <<< int -shift)
        elif e >= 0L then
            true
        elif -e > int64 literal.Length + 2000L then
            true
        else
            m <<< 1074 <> k * BigInteger.Pow(BigInteger(10), int -e)

/// The score of a weight or element (sort.c: strtod on the C string; an unconsumed byte, ERANGE or NaN
/// is an error): bytes from a NUL on are ignored, leading isspace is skipped, and the empty string is
/// 0 (strtod converts nothing and stops on the terminator); only spaces is an error.
let private tryScore (b: Bytes) : float voption =
    let len = cLength b

    if len = 0 then
        ValueSome 0.0
    else
        let mutable i = 0

        while i < len && isCSpace b[i] do
            i <- i + 1

        let literal = ReadOnlySpan<byte>(b, i, len - i)
        let mutable v = 0.0

        if
            i < len
            && Numbers.tryParseDoubleSpan (literal, &v)
            && not (isInexactSubnormal literal v)
        then
            ValueSome v
        else
            ValueNone

// ---- Ordering ---------------------------------------------------------------------------------

/// Sorts positions 0..n-1 by cmp as glibc's qsort does (a stable merge sort): ties keep their order.
let private stableSort (cmp: int -> int -> int) (n: int) : int[] =
    let order = Array.init n id

    Array.Sort(
        order,
        Comparison(fun a b ->
            match cmp a b with
            | 0 -> compare a b
            | c -> c)
    )

    order

/// Redis's pqsort (pqsort.c as in 7.0: NetBSD's qsort, Bentley and McIlroy, skipping the parts that
/// lie wholly outside the ranks lrange..rrange) over v, step for step: with ties, which equal
/// elements land in the range, and in what order, depends on exactly these swaps. (Later Redis
/// versions switch to insertion sort when a partition swaps nothing; 7.0 does not.)
let private partialSort (cmp: int -> int -> int) (v: int[]) (lrange: int) (rrange: int) =
    let inline c i j = cmp v[i] v[j]

    let swap i j =
        let t = v[i]
        v[i] <- v[j]
        v[j] <- t

    let vecswap i j n =
        for k in 0 .. n - 1 do
            swap (i + k) (j + k)

    let med3 a b d =
        if c a b < 0 then
            (if c b d < 0 then b
             elif c a d < 0 then d
             else a)
        else if c b d > 0 then
            b
        elif c a d < 0 then
            a
        else
            d

    let insertionSort a n =
        for pm in a + 1 .. a + n - 1 do
            let mutable pl = pm

            while pl > a && c (pl - 1) pl > 0 do
                swap pl (pl - 1)
                pl <- pl - 1

    /// Whether positions lo..hi hold any rank of the range (pqsort's _l/_r test).
    let touchesRange lo hi =
        not ((lrange < lo && rrange < lo) || (lrange > hi && rrange > hi))

    let rec sortFrom (a0: int) (n0: int) =
        let mutable a = a0
        let mutable n = n0
        let mutable again = true

        while again do
            again <- false

            if n < 7 then
                insertionSort a n
            else
                let mutable pm = a + n / 2

                if n > 7 then
                    let mutable pl = a
                    let mutable pn = a + n - 1

                    if n > 40 then
                        let d = n / 8
                        pl <- med3 pl (pl + d) (pl + 2 * d)
                        pm <- med3 (pm - d) pm (pm + d)
                        pn <- med3 (pn - 2 * d) (pn - d) pn

                    pm <- med3 pl pm pn

                swap a pm
                let mutable pa = a + 1
                let mutable pb = a + 1
                let mutable pc = a + n - 1
                let mutable pd = a + n - 1
                let mutable partitioning = true

                while partitioning do
                    // Elements not above the pivot move left (equal ones to the far left)...
                    let mutable scanning = true

                    while scanning && pb <= pc do
                        let r = c pb a

                        if r > 0 then
                            scanning <- false
                        else
                            if r = 0 then
                                swap pa pb
                                pa <- pa + 1

                            pb <- pb + 1

                    // ...elements not below it move right (equal ones to the far right).
                    scanning <- true

                    while scanning && pb <= pc do
                        let r = c pc a

                        if r < 0 then
                            scanning <- false
                        else
                            if r = 0 then
                                swap pc pd
                                pd <- pd - 1

                            pc <- pc - 1

                    if pb > pc then
                        partitioning <- false
                    else
                        swap pb pc
                        pb <- pb + 1
                        pc <- pc - 1

                // The equal ones go to the middle; then each side that holds a rank of the range.
                let pn = a + n
                let r = min (pa - a) (pb - pa)
                vecswap a (pb - r) r
                let r = min (pd - pc) (pn - pd - 1)
                vecswap pb (pn - r) r
                let left = pb - pa

                if left > 1 && touchesRange a (a + left - 1) then
                    sortFrom a left

                let right = pd - pc

                if right > 1 then
                    a <- pn - right
                    n <- right
                    again <- touchesRange a (a + right - 1)

    sortFrom 0 v.Length

/// sortCompare over positions of items: numeric by score, ties by the elements as binary strings;
/// ALPHA by the elements, or by the BY weights (missing ones first); DESC reverses. ALPHA compares
/// C strings with strcoll (byte order in the C locale), or binary strings when storing.
let private comparer
    (alpha: bool)
    (byPattern: bool)
    (store: bool)
    (desc: bool)
    (items: Bytes[])
    (scores: float[])
    (weights: Bytes[])
    =
    let keys = if byPattern then weights else items

    let lengths =
        if alpha && not store then
            keys |> Array.map (fun k -> if isNull k then 0 else cLength k)
        else
            null

    let length (i: int) =
        if isNull lengths then keys[i].Length else lengths[i]

    fun (a: int) (b: int) ->
        let r =
            if not alpha then
                if scores[a] > scores[b] then 1
                elif scores[a] < scores[b] then -1
                else sign (Bytes.compare items[a] items[b])
            elif isNull keys[a] || isNull keys[b] then
                if isNull keys[a] && isNull keys[b] then 0
                elif isNull keys[a] then -1
                else 1
            else
                let x = ReadOnlySpan<byte>(keys[a], 0, length a)
                sign (x.SequenceCompareTo(ReadOnlySpan<byte>(keys[b], 0, length b)))

        if desc then -r else r

/// Loads the scores (or the ALPHA BY weights) of items and returns the comparison of their positions,
/// or the conversion error: every score is read, whatever LIMIT keeps.
let private sortItems
    (now: int64)
    (db: Db)
    (misses: ResizeArray<Bytes>)
    (o: SortOptions)
    (alpha: bool)
    (by: Bytes voption)
    (items: Bytes[])
    =
    let n = items.Length
    let scores = if alpha then null else Array.zeroCreate<float> n

    let weights =
        if alpha && by.IsSome then
            Array.zeroCreate<Bytes> n
        else
            null

    let mutable convertible = true

    for i in 0 .. n - 1 do
        let weight =
            match by with
            | ValueSome pattern -> lookupByPattern now db misses pattern items[i]
            | ValueNone -> ValueSome items[i]

        match weight with
        | ValueNone -> () // score 0, or a missing ALPHA weight
        | ValueSome w when alpha ->
            if by.IsSome then
                weights[i] <- w
        | ValueSome w ->
            match tryScore w with
            | ValueSome score -> scores[i] <- score
            | ValueNone -> convertible <- false

    if not convertible then
        Error RedisError.SortScoreNotDouble
    else
        Ok(comparer alpha by.IsSome o.Store.IsSome o.Desc items scores weights)

/// The elements SORT answers with (before GET), in order.
let private select
    (now: int64)
    (db: Db)
    (misses: ResizeArray<Bytes>)
    (o: SortOptions)
    (source: SortSource)
    : Result<Bytes[], RedisError> =
    let n = source.Count
    let struct (first, last) = limits o.LimitStart o.LimitCount n
    let count = max 0 (last - first + 1)

    // A set BY nosort with STORE is sorted ALPHA instead, so the stored list (and what replicas
    // store) is the same everywhere; Redis does the same inside scripts.
    let sorts, alpha, by =
        if o.DontSort && not source.Ordered && o.Store.IsSome then
            true, true, ValueNone
        else
            not o.DontSort, o.Alpha, o.By

    if not sorts then
        if count = 0 then
            Ok [||]
        elif not source.Ordered then
            Ok(source.Slice first count)
        elif o.Desc then
            let xs = source.Slice (n - 1 - last) count
            Array.Reverse xs
            Ok xs
        else
            Ok(source.Slice first count)
    else
        let items = source.Slice 0 n

        match sortItems now db misses o alpha by items with
        | Error e -> Error e
        | Ok cmp ->
            let order =
                if by.IsSome && (first <> 0 || last <> n - 1) then
                    let order = Array.init n id
                    partialSort cmp order first last
                    order
                else
                    stableSort cmp n

            Ok(Array.init count (fun i -> items[order[first + i]]))

// ---- Commands ---------------------------------------------------------------------------------

/// SORT and SORT_RO: options first (syntax errors win), then the key's type, then the scores. Events:
/// "keymiss" for a missing key, then for each BY key missing (in the source's order, even when a score
/// then fails), then for each GET key missing (in the reply's order); with STORE "new" and "sortstore",
/// or "del" when nothing stored replaced an existing destination.
let private sortGeneric (readOnly: bool) : Handler =
    fun ctx s argv w ->
        let db = World.db s.Db w
        let misses = if ctx.Events then ResizeArray<Bytes>() else null
        let sourceMissing = ref false

        let r =
            result {
                let! o = parseOptions readOnly argv

                let! source =
                    match Db.tryGet ctx.NowMs argv[1] db with
                    | ValueNone ->
                        sourceMissing.Value <- true
                        Ok noElements
                    | ValueSome v -> sourceOf v

                // What the events need is read before the writes (a live Db is edited in place). Redis
                // deletes a destination for an empty result without looking it up, so one past its
                // deadline (still stored) tells "del" too.
                let struct (dstLive, dstStored) =
                    match o.Store with
                    | ValueSome dst when ctx.Events -> struct (Db.exists ctx.NowMs dst db, db.Keys.ContainsKey dst)
                    | _ -> struct (false, false)

                // Redis converts a listpack sorted set to a skiplist for any SORT (zsetConvert), SORT_RO too.
                let db =
                    match Db.tryGet ctx.NowMs argv[1] db with
                    | ValueSome(Value.SortedSet z) when not z.Skiplist ->
                        Db.set ctx.NowMs argv[1] (Value.SortedSet { z with Skiplist = true }) Ttl.Keep db
                    | _ -> db

                let! selected = select ctx.NowMs db misses o source

                let lookups (element: Bytes) =
                    o.Gets |> Array.map (fun p -> lookupByPattern ctx.NowMs db misses p element)

                match o.Store with
                | ValueNone ->
                    let reply =
                        if o.Gets.Length = 0 then
                            selected |> Array.map RespValue.Bulk
                        else
                            selected
                            |> Array.collect lookups
                            |> Array.map (fun v ->
                                match v with
                                | ValueSome b -> RespValue.Bulk b
                                | ValueNone -> RespValue.Null)

                    return RespValue.Array reply, World.withDb s.Db db w, ValueNone
                | ValueSome dst ->
                    // GET finding nothing stores an empty string.
                    let stored =
                        if o.Gets.Length = 0 then
                            selected
                        else
                            selected
                            |> Array.collect lookups
                            |> Array.map (ValueOption.defaultValue Bytes.empty)

                    let db =
                        if stored.Length = 0 then
                            Db.remove dst db
                        else
                            Db.set ctx.NowMs dst (Value.List(RedisList.ofArray stored)) Ttl.Clear db

                    return
                        RespValue.Integer(int64 stored.Length),
                        World.withDb s.Db db w,
                        ValueSome(struct (dst, dstLive, dstStored, stored.Length))
            }

        let lookedUp (o: Outcome) =
            if ctx.Events then
                o
                |> Outcome.notifyIf ctx sourceMissing.Value NotifyClass.KeyMiss "keymiss" argv[1]
                |> Outcome.notifyAll
                    ctx
                    [
                        for key in misses ->
                            {
                                Class = NotifyClass.KeyMiss
                                Event = "keymiss"
                                Db = s.Db
                                Key = key
                            }
                    ]
            else
                o

        match r with
        | Error e -> Outcome.error e s w |> lookedUp
        | Ok(reply, w', store) ->
            let o = Outcome.reply reply s w' |> lookedUp

            match store with
            | ValueNone -> o
            | ValueSome(struct (dst, live, stored, count)) ->
                // Storing looks dst up (Redis setKey), which finds one past its deadline expired.
                o
                |> Outcome.notifyExpired ctx (count > 0 && stored && not live) s.Db dst
                |> Outcome.notifyNew ctx (count > 0 && not live) dst
                |> Outcome.notifyIf ctx (count > 0) NotifyClass.List "sortstore" dst
                |> Outcome.notifyDel ctx (count = 0 && stored) dst

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA] [STORE destination]
let sort: Handler = sortGeneric false

// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA]
let sortRo: Handler = sortGeneric true
