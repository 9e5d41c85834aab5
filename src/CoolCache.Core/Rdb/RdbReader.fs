/// RDB bytes → values and databases (rdb.c rdbLoadObject / rdbLoadRioWithLoadingCtx) for every encoding
/// Redis writes in RDB versions 1 to 12 except modules: strings (raw, integer, LZF), lists (linked,
/// ziplist, quicklist 1 and 2), sets (plain, intset, listpack), sorted sets (zset, zset2, ziplist,
/// listpack), hashes (plain, zipmap, ziplist, listpack), streams (listpacks 1 to 3, with consumer groups). A bad byte anywhere is an error that
/// says at which offset; nothing half-read is ever returned as if whole.
module CoolCache.Core.Rdb.RdbReader

open System
open System.Buffers.Binary
open System.Text
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Values
open CoolCache.Core.Rdb.RdbFormat

/// Why a file or payload was refused, and where.
type RdbError = { Offset: int64; Message: string }

exception private Corrupt of offset: int64 * message: string

/// The thresholds that decide the encodings of loaded collections (the server's config).
type RdbLimits =
    {
        Hash: HashLimits
        MaxIntsetEntries: int64
        SortedSet: SortedSetLimits
    }

/// A cursor over the bytes with bounds checks.
[<Sealed>]
type private Input(data: byte[], start: int, finish: int) =
    let mutable pos = start

    member _.Pos = pos
    member _.Remaining = finish - pos

    member _.Fail(message: string) : 'a = raise (Corrupt(int64 pos, message))

    member this.Need(n: int) =
        if n < 0 || finish - pos < n then
            this.Fail(sprintf "unexpected end of data (needed %d more bytes)" n)

    member this.Byte() =
        this.Need 1
        let b = data[pos]
        pos <- pos + 1
        b

    member this.Span(n: int) =
        this.Need n
        let s = ReadOnlySpan(data, pos, n)
        pos <- pos + n
        s

    member this.Take(n: int) = this.Span(n).ToArray()

/// rdbLoadLenByRef: the length, or the special encoding number with isEncoded.
let private readLengthOrEncoding (i: Input) (isEncoded: byref<bool>) : int64 =
    let b = i.Byte()

    match b >>> 6 with
    | 0uy ->
        isEncoded <- false
        int64 (b &&& 0x3fuy)
    | 1uy ->
        isEncoded <- false
        (int64 (b &&& 0x3fuy) <<< 8) ||| int64 (i.Byte())
    | 2uy when b = 0x80uy ->
        isEncoded <- false
        int64 (BinaryPrimitives.ReadUInt32BigEndian(i.Span 4))
    | 2uy when b = 0x81uy ->
        isEncoded <- false
        BinaryPrimitives.ReadInt64BigEndian(i.Span 8)
    | 2uy -> i.Fail(sprintf "unknown length encoding %d" b)
    | _ ->
        isEncoded <- true
        int64 (b &&& 0x3fuy)

let private readLength (i: Input) =
    let mutable enc = false
    let n = readLengthOrEncoding i &enc

    if enc then
        i.Fail "an encoded value where a length was expected"
    elif n < 0L then
        i.Fail "a negative length"
    else
        n

let private readCount (i: Input) (what: string) =
    let n = readLength i
    // every element takes at least one byte: a count beyond the data left is corrupt
    if n > int64 i.Remaining then
        i.Fail(sprintf "%s count %d is larger than the data left" what n)

    int n

/// rdbGenericLoadStringObject: raw, integer-encoded or LZF.
let private readString (i: Input) : Bytes =
    let mutable enc = false
    let n = readLengthOrEncoding i &enc

    if not enc then
        if n > int64 i.Remaining then
            i.Fail(sprintf "string length %d is larger than the data left" n)

        i.Take(int n)
    else
        match int n with
        | EncInt8 -> Numbers.formatInt64 (int64 (sbyte (i.Byte())))
        | EncInt16 -> Numbers.formatInt64 (int64 (BinaryPrimitives.ReadInt16LittleEndian(i.Span 2)))
        | EncInt32 -> Numbers.formatInt64 (int64 (BinaryPrimitives.ReadInt32LittleEndian(i.Span 4)))
        | EncLzf ->
            let clen = readLength i
            let len = readLength i

            if clen > int64 i.Remaining then
                i.Fail "compressed string longer than the data left"

            if len > 512L * 1024L * 1024L * 4L then
                i.Fail "uncompressed string too long"

            let at = i.Pos

            match Lzf.decompress (i.Span(int clen)) (int len) with
            | Some b -> b
            | None -> raise (Corrupt(int64 at, "invalid LZF compressed string"))
        | other -> i.Fail(sprintf "unknown string encoding %d" other)

/// A score written as text by RDB_TYPE_ZSET (253 nan, 254 +inf, 255 -inf, else a length and digits).
let private readTextDouble (i: Input) =
    match i.Byte() with
    | 253uy -> Double.NaN
    | 254uy -> Double.PositiveInfinity
    | 255uy -> Double.NegativeInfinity
    | n ->
        let s = Encoding.ASCII.GetString(i.Span(int n))

        match Double.TryParse(s, Globalization.NumberStyles.Float, Globalization.CultureInfo.InvariantCulture) with
        | true, d -> d
        | _ -> i.Fail(sprintf "invalid score %s" s)

let private readBinaryDouble (i: Input) =
    BinaryPrimitives.ReadDoubleLittleEndian(i.Span 8)

// ---- ziplist, listpack, intset, zipmap: blobs inside a string ------------------------------------

/// The entries of a ziplist (ziplist.c), as strings.
let private ziplistEntries (blob: Bytes) (at: int64) : Bytes[] =
    let fail (m: string) : 'a = raise (Corrupt(at, "ziplist: " + m))

    if blob.Length < 11 then
        fail "too short"

    let total = BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, 0, 4))

    if int64 total <> int64 blob.Length then
        fail "header length does not match"

    let items = ResizeArray<Bytes>()
    let mutable p = 10

    while p < blob.Length && blob[p] <> 0xFFuy do
        // previous entry length: 1 byte, or 0xFE and 4 bytes
        p <- p + (if blob[p] = 0xFEuy then 5 else 1)

        if p >= blob.Length then
            fail "truncated entry"

        let e = blob[p]

        let need (n: int) =
            if p + n > blob.Length then
                fail "truncated entry"

        match e >>> 6 with
        | 0uy ->
            let n = int (e &&& 0x3fuy)
            need (1 + n)
            items.Add(Array.sub blob (p + 1) n)
            p <- p + 1 + n
        | 1uy ->
            need 2
            let n = (int (e &&& 0x3fuy) <<< 8) ||| int blob[p + 1]
            need (2 + n)
            items.Add(Array.sub blob (p + 2) n)
            p <- p + 2 + n
        | 2uy ->
            need 5
            let n = int (BinaryPrimitives.ReadUInt32BigEndian(ReadOnlySpan(blob, p + 1, 4)))
            need (5 + n)
            items.Add(Array.sub blob (p + 5) n)
            p <- p + 5 + n
        | _ ->
            let addInt (v: int64) = items.Add(Numbers.formatInt64 v)

            match e with
            | 0xC0uy ->
                need 3
                addInt (int64 (BinaryPrimitives.ReadInt16LittleEndian(ReadOnlySpan(blob, p + 1, 2))))
                p <- p + 3
            | 0xD0uy ->
                need 5
                addInt (int64 (BinaryPrimitives.ReadInt32LittleEndian(ReadOnlySpan(blob, p + 1, 4))))
                p <- p + 5
            | 0xE0uy ->
                need 9
                addInt (BinaryPrimitives.ReadInt64LittleEndian(ReadOnlySpan(blob, p + 1, 8)))
                p <- p + 9
            | 0xF0uy ->
                need 4

                let v =
                    (int blob[p + 1])
                    ||| (int blob[p + 2] <<< 8)
                    ||| (int (sbyte blob[p + 3]) <<< 16)

                addInt (int64 v)
                p <- p + 4
            | 0xFEuy ->
                need 2
                addInt (int64 (sbyte blob[p + 1]))
                p <- p + 2
            | _ when e >= 0xF1uy && e <= 0xFDuy ->
                addInt (int64 (e &&& 0x0fuy) - 1L)
                p <- p + 1
            | _ -> fail (sprintf "unknown entry encoding %d" e)

    if p >= blob.Length then
        fail "missing end marker"

    items.ToArray()

/// The entries of a listpack (listpack.c), as strings.
let private listpackEntries (blob: Bytes) (at: int64) : Bytes[] =
    let fail (m: string) : 'a = raise (Corrupt(at, "listpack: " + m))

    if blob.Length < 7 then
        fail "too short"

    let total = BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, 0, 4))

    if int64 total <> int64 blob.Length then
        fail "header length does not match"

    let items = ResizeArray<Bytes>()
    let mutable p = 6

    let backlen (l: int) =
        if l <= 127 then 1
        elif l < 16383 then 2
        elif l < 2097151 then 3
        elif l < 268435455 then 4
        else 5

    while p < blob.Length && blob[p] <> 0xFFuy do
        let e = blob[p]

        let need (n: int) =
            if p + n > blob.Length then
                fail "truncated entry"

        let str (header: int) (n: int) =
            need (header + n)
            items.Add(Array.sub blob (p + header) n)
            let l = header + n
            p <- p + l + backlen l

        let num (size: int) (v: int64) =
            items.Add(Numbers.formatInt64 v)
            p <- p + size + backlen size

        if e &&& 0x80uy = 0uy then
            num 1 (int64 e)
        elif e &&& 0xC0uy = 0x80uy then
            str 1 (int (e &&& 0x3fuy))
        elif e &&& 0xE0uy = 0xC0uy then
            need 2
            let v = ((int (e &&& 0x1fuy) <<< 8) ||| int blob[p + 1])
            // 13-bit two's complement
            num 2 (int64 (if v >= 4096 then v - 8192 else v))
        elif e &&& 0xF0uy = 0xE0uy then
            need 2
            str 2 (((int (e &&& 0x0fuy)) <<< 8) ||| int blob[p + 1])
        else
            match e with
            | 0xF0uy ->
                need 5
                str 5 (int (BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, p + 1, 4))))
            | 0xF1uy ->
                need 3
                num 3 (int64 (BinaryPrimitives.ReadInt16LittleEndian(ReadOnlySpan(blob, p + 1, 2))))
            | 0xF2uy ->
                need 4

                let v =
                    (int blob[p + 1])
                    ||| (int blob[p + 2] <<< 8)
                    ||| (int (sbyte blob[p + 3]) <<< 16)

                num 4 (int64 v)
            | 0xF3uy ->
                need 5
                num 5 (int64 (BinaryPrimitives.ReadInt32LittleEndian(ReadOnlySpan(blob, p + 1, 4))))
            | 0xF4uy ->
                need 9
                num 9 (BinaryPrimitives.ReadInt64LittleEndian(ReadOnlySpan(blob, p + 1, 8)))
            | _ -> fail (sprintf "unknown entry encoding %d" e)

        if p > blob.Length then
            fail "truncated entry"

    if p >= blob.Length then
        fail "missing end marker"

    items.ToArray()

/// The members of an intset (intset.c), as strings.
let private intsetMembers (blob: Bytes) (at: int64) : Bytes[] =
    let fail (m: string) : 'a = raise (Corrupt(at, "intset: " + m))

    if blob.Length < 8 then
        fail "too short"

    let width = int (BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, 0, 4)))
    let n = int (BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, 4, 4)))

    if width <> 2 && width <> 4 && width <> 8 then
        fail (sprintf "invalid encoding %d" width)

    if 8L + int64 n * int64 width <> int64 blob.Length then
        fail "length does not match"

    Array.init n (fun k ->
        let s = ReadOnlySpan(blob, 8 + k * width, width)

        let v =
            match width with
            | 2 -> int64 (BinaryPrimitives.ReadInt16LittleEndian s)
            | 4 -> int64 (BinaryPrimitives.ReadInt32LittleEndian s)
            | _ -> BinaryPrimitives.ReadInt64LittleEndian s

        Numbers.formatInt64 v)

/// The field/value pairs of a zipmap (zipmap.c, RDB_TYPE_HASH_ZIPMAP), flattened.
let private zipmapEntries (blob: Bytes) (at: int64) : Bytes[] =
    let fail (m: string) : 'a = raise (Corrupt(at, "zipmap: " + m))
    let items = ResizeArray<Bytes>()
    let mutable p = 1

    let readLen () =
        if p >= blob.Length then
            fail "truncated"

        let b = blob[p]

        if b < 254uy then
            p <- p + 1
            int b
        elif b = 254uy then
            if p + 5 > blob.Length then
                fail "truncated"

            let n = int (BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, p + 1, 4)))
            p <- p + 5
            n
        else
            fail "unexpected end marker"

    while p < blob.Length && blob[p] <> 255uy do
        let klen = readLen ()

        if p + klen > blob.Length then
            fail "truncated"

        items.Add(Array.sub blob p klen)
        p <- p + klen
        let vlen = readLen ()

        if p + 1 + vlen > blob.Length then
            fail "truncated"

        let free = int blob[p]
        items.Add(Array.sub blob (p + 1) vlen)
        p <- p + 1 + vlen + free

    if p >= blob.Length then
        fail "missing end marker"

    items.ToArray()

// ---- values --------------------------------------------------------------------------------------

let private pairsToHash (limits: RdbLimits) (flat: Bytes[]) (i: Input) =
    if flat.Length % 2 <> 0 then
        i.Fail "a hash with an odd number of elements"

    let owner = obj ()
    let mutable h = RedisHash.empty

    for k in 0..2 .. flat.Length - 1 do
        let struct (h', isNew) = RedisHash.set owner limits.Hash flat[k] flat[k + 1] h

        if not isNew then
            i.Fail "a hash with a duplicate field"

        h <- h'

    Value.Hash h

let private membersToSet (limits: RdbLimits) (members: Bytes[]) (i: Input) =
    let s = RedisSet.ofMembers (obj ()) limits.MaxIntsetEntries members

    if int64 s.Members.Count <> int64 members.Length then
        i.Fail "a set with a duplicate member"

    Value.Set s

let private entriesToZset (limits: RdbLimits) (entries: ScoredMember[]) (i: Input) =
    for e in entries do
        if Double.IsNaN e.Score then
            i.Fail "a sorted set score is NaN"

    let sorted = Array.copy entries
    Array.Sort(sorted, ScoreOrder.Instance)
    let z = RedisSortedSet.ofSorted limits.SortedSet sorted

    if RedisSortedSet.count z <> entries.Length then
        i.Fail "a sorted set with a duplicate member"

    Value.SortedSet z

let private flatToZset (limits: RdbLimits) (flat: Bytes[]) (i: Input) =
    if flat.Length % 2 <> 0 then
        i.Fail "a sorted set with an odd number of elements"

    let entries =
        Array.init (flat.Length / 2) (fun k ->
            match Numbers.tryParseDouble flat[2 * k + 1] with
            | ValueSome d -> { Score = d; Member = flat[2 * k] }
            | ValueNone -> i.Fail "a sorted set score that is not a number")

    entriesToZset limits entries i

let private nonEmpty (i: Input) (n: int) =
    if n = 0 then
        i.Fail "an empty collection"

// ---- streams (t_stream.c's listpack nodes, rdb.c's stream records) --------------------------------

/// The elements of one stream listpack, read one at a time: each element's encoding, bounds and
/// back-length are checked (lpValidateNext), integers stay integers.
[<Sealed>]
type private ListpackCursor(blob: Bytes, at: int64) =
    let mutable p = 6
    let mutable isInt = false
    let mutable value = 0L
    let mutable strStart = 0
    let mutable strLength = 0
    let mutable size = 0

    let fail (m: string) : 'a =
        raise (Corrupt(at, "stream listpack: " + m))

    do
        if blob.Length < 7 then
            fail "too short"

        if
            int64 (BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, 0, 4)))
            <> int64 blob.Length
        then
            fail "header length does not match"

        if blob[blob.Length - 1] <> 0xFFuy then
            fail "missing end marker"

    member _.Fail(m: string) : 'a = fail m

    member _.AtEnd = blob[p] = 0xFFuy

    /// The encoded size of the element read last, back-length included.
    member _.Size = size

    /// Reads the next element.
    member _.Next() =
        // the end marker is the last byte: an element must end before it
        let limit = blob.Length - 1
        let e = blob[p]

        let need (n: int) =
            if p + n > limit then
                fail "truncated entry"

        let str (header: int) (n: int) =
            isInt <- false
            strStart <- p + header
            strLength <- n
            header + n

        let num (encoded: int) (v: int64) =
            isInt <- true
            value <- v
            encoded

        let encoded =
            if e = 0xFFuy then
                fail "an entry is missing"
            elif e &&& 0x80uy = 0uy then
                num 1 (int64 e)
            elif e &&& 0xC0uy = 0x80uy then
                str 1 (int (e &&& 0x3fuy))
            elif e &&& 0xE0uy = 0xC0uy then
                need 2
                let v = (int (e &&& 0x1fuy) <<< 8) ||| int blob[p + 1]
                num 2 (int64 (if v >= 4096 then v - 8192 else v))
            elif e &&& 0xF0uy = 0xE0uy then
                need 2
                str 2 ((int (e &&& 0x0fuy) <<< 8) ||| int blob[p + 1])
            else
                match e with
                | 0xF0uy ->
                    need 5
                    let n = BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, p + 1, 4))

                    if n > uint32 limit then
                        fail "truncated entry"

                    str 5 (int n)
                | 0xF1uy ->
                    need 3
                    num 3 (int64 (BinaryPrimitives.ReadInt16LittleEndian(ReadOnlySpan(blob, p + 1, 2))))
                | 0xF2uy ->
                    need 4

                    let v =
                        (int blob[p + 1])
                        ||| (int blob[p + 2] <<< 8)
                        ||| (int (sbyte blob[p + 3]) <<< 16)

                    num 4 (int64 v)
                | 0xF3uy ->
                    need 5
                    num 5 (int64 (BinaryPrimitives.ReadInt32LittleEndian(ReadOnlySpan(blob, p + 1, 4))))
                | 0xF4uy ->
                    need 9
                    num 9 (BinaryPrimitives.ReadInt64LittleEndian(ReadOnlySpan(blob, p + 1, 8)))
                | _ -> fail (sprintf "unknown entry encoding %d" e)

        // lpEncodeBacklen: the encoded size, 7 bits a byte, most significant first, continuation bits
        // on all but the first
        let backlen =
            if encoded <= 127 then 1
            elif encoded < 16383 then 2
            elif encoded < 2097151 then 3
            elif encoded < 268435455 then 4
            else 5

        need (encoded + backlen)
        let b = p + encoded

        for k in 0 .. backlen - 1 do
            let bits = byte ((encoded >>> (7 * (backlen - 1 - k))) &&& 127)
            let expected = if k = 0 then bits else bits ||| 128uy

            if blob[b + k] <> expected then
                fail "wrong back-length"

        size <- encoded + backlen
        p <- p + size

    /// The next element as an integer.
    member this.Int(what: string) =
        this.Next()

        if not isInt then
            fail (what + " is not an integer")

        value

    /// The next element as a count (0 up to the bytes left).
    member this.Count(what: string) =
        let n = this.Int what

        if n < 0L || n > int64 blob.Length then
            fail (sprintf "invalid %s %d" what n)

        int n

    /// The next element as a string (integers in decimal).
    member this.String() : Bytes =
        this.Next()

        if isInt then
            Numbers.formatInt64 value
        else
            Array.sub blob strStart strLength

let private readRawId (i: Input) =
    let s = i.Span 16

    {
        Ms = BinaryPrimitives.ReadUInt64BigEndian(s.Slice(0, 8))
        Seq = BinaryPrimitives.ReadUInt64BigEndian(s.Slice(8, 8))
    }

/// A length as the unsigned 64-bit number rdbLoadLen returns (IDs, counters that may be -1).
let private readULength (i: Input) =
    let mutable enc = false
    let n = readLengthOrEncoding i &enc

    if enc then
        i.Fail "an encoded value where a length was expected"

    uint64 n

let private readMs (i: Input) =
    BinaryPrimitives.ReadInt64LittleEndian(i.Span 8)

/// One radix-tree node: its key (the master ID) and its listpack (streamAppendItem's layout: the
/// master entry, then each entry's flags, ID deltas, fields or values and lp-count). Live entries go to
/// entries, in order after prev (the last live ID so far); returns the node as RedisStream keeps it.
let private readStreamNode
    (key: Bytes)
    (blob: Bytes)
    (at: int64)
    (entries: ResizeArray<StreamEntry>)
    (prev: StreamId voption)
    : StreamNode =
    let c = ListpackCursor(blob, at)

    let master =
        {
            Ms = BinaryPrimitives.ReadUInt64BigEndian(ReadOnlySpan(key, 0, 8))
            Seq = BinaryPrimitives.ReadUInt64BigEndian(ReadOnlySpan(key, 8, 8))
        }

    match prev with
    | ValueSome p when StreamId.compare p master >= 0 -> c.Fail "a node's master ID is not after the entries before it"
    | _ -> ()

    let live = c.Count "entry count"
    let countersSize = c.Size
    let deleted = c.Count "deleted count"
    let countersSize = countersSize + c.Size
    let nFields = c.Count "master field count"
    let fields = Array.init nFields (fun _ -> c.String())

    if c.Int "master terminator" <> 0L then
        c.Fail "the master entry does not end with 0"

    let mutable seenLive = 0
    let mutable seenDeleted = 0
    let mutable last = master
    let mutable prev = prev
    let mutable firstFields = null

    while not c.AtEnd do
        let flags = c.Int "flags"

        if flags < 0L || flags > 3L then
            c.Fail(sprintf "invalid entry flags %d" flags)

        let id =
            {
                Ms = master.Ms + uint64 (c.Int "ID")
                Seq = master.Seq + uint64 (c.Int "ID")
            }

        let same = flags &&& 2L <> 0L
        let isDeleted = flags &&& 1L <> 0L
        let n = if same then nFields else c.Count "field count"
        let pairs = Array.zeroCreate<Bytes>(if isDeleted then 0 else 2 * n)

        for k in 0 .. n - 1 do
            if isDeleted then
                if not same then
                    c.Next()

                c.Next()
            else
                pairs[2 * k] <- if same then fields[k] else c.String()
                pairs[2 * k + 1] <- c.String()

        let lpCount = c.Int "lp-count"

        if lpCount <> (if same then int64 n + 3L else 2L * int64 n + 4L) then
            c.Fail "an entry's lp-count does not match it"

        if seenLive + seenDeleted = 0 && not isDeleted then
            firstFields <- pairs

        last <- id

        if isDeleted then
            seenDeleted <- seenDeleted + 1
        else
            if StreamId.compare id master < 0 then
                c.Fail "an entry ID before its node's master ID"

            match prev with
            | ValueSome p when StreamId.compare p id >= 0 -> c.Fail "entry IDs out of order"
            | _ -> ()

            prev <- ValueSome id
            entries.Add { Id = id; Fields = pairs }
            seenLive <- seenLive + 1

    if seenLive + seenDeleted = 0 then
        c.Fail "a node without entries"

    if seenLive <> live || seenDeleted <> deleted then
        c.Fail "the entry counts do not match the entries"

    {
        MasterId = master
        // the first entry's field/value array when it is live (as XADD leaves it), else the master
        // fields with empty values: only the fields are ever compared
        Master =
            if isNull firstFields then
                Array.init (2 * nFields) (fun k -> if k % 2 = 0 then fields[k / 2] else Array.Empty<byte>())
            else
                firstFields
        LastId = last
        Live = live
        Deleted = deleted
        Body = blob.Length - countersSize
    }

/// Sorts by cmp (already sorted in files Redis writes); a duplicate is corrupt.
let private sortedUnique (i: Input) (what: string) (cmp: Collections.Generic.IComparer<'T>) (items: 'T[]) =
    let mutable sorted = true

    for k in 1 .. items.Length - 1 do
        if cmp.Compare(items[k - 1], items[k]) >= 0 then
            sorted <- false

    if not sorted then
        Array.Sort(items, cmp)

        for k in 1 .. items.Length - 1 do
            if cmp.Compare(items[k - 1], items[k]) = 0 then
                i.Fail(sprintf "a duplicate %s" what)

    items

/// One consumer group: name, last delivered ID, entries read (types 19 and 21; estimated for 15), the
/// group PEL (raw ID, delivery time, delivery count), then each consumer (name, seen time, active time
/// for 21, its pending IDs, which must be in the group PEL and owned by no other consumer).
let private readGroup (i: Input) (t: byte) (s: RedisStream) : ConsumerGroup =
    let name = readString i

    let lastId =
        {
            Ms = readULength i
            Seq = readULength i
        }

    let entriesRead =
        if t = TypeStreamListpacks then
            RedisStream.estimateEntriesRead lastId s
        else
            int64 (readULength i)

    let pelCount = readCount i "pending entry"

    let pel =
        Array.init pelCount (fun _ ->
            let id = readRawId i
            let time = readMs i
            let count = readULength i

            {
                Id = id
                Consumer = null
                DeliveryTime = time
                DeliveryCount = int64 count
            })
        |> sortedUnique i "pending entry" StreamComparers.Pending

    let consumerCount = readCount i "consumer"

    let consumers =
        Array.init consumerCount (fun _ ->
            let cname = readString i
            let seen = readMs i

            if t = TypeStreamListpacks3 then
                readMs i |> ignore // active-time (Redis 7.2): not kept, seen-time stands for both

            let n = readCount i "consumer pending entry"

            let ids =
                Array.init n (fun _ ->
                    let id = readRawId i

                    let probe =
                        {
                            Id = id
                            Consumer = null
                            DeliveryTime = 0L
                            DeliveryCount = 0L
                        }

                    let k = Array.BinarySearch(pel, probe, StreamComparers.Pending)

                    if k < 0 then
                        i.Fail "a consumer's pending entry is not in the group's"

                    if not (isNull pel[k].Consumer) then
                        i.Fail "a pending entry owned by two consumers"

                    pel[k] <- { pel[k] with Consumer = cname }
                    id)
                |> sortedUnique i "consumer pending entry" StreamComparers.Ids

            {
                Name = cname
                SeenTime = seen
                Pending = Tree.ofArray ids
            })
        |> sortedUnique i "consumer" StreamComparers.Consumers

    for p in pel do
        if isNull p.Consumer then
            i.Fail "a pending entry without a consumer"

    {
        Name = name
        LastId = lastId
        EntriesRead = entriesRead
        Pel = Tree.ofArray pel
        Consumers = Tree.ofArray consumers
    }

/// RDB_TYPE_STREAM_LISTPACKS (15, Redis 5 to 6.2), _2 (19, Redis 7.0) and _3 (21, Redis 7.2): the
/// nodes, length, last ID, then (19 and 21) first ID, highest deleted ID and entries added, then the
/// consumer groups. Type 15 has no deletion history: entries added is the length and each group's
/// entries-read is estimated, as Redis does when it loads one.
let private readStream (i: Input) (t: byte) : Value =
    let nodeCount = readCount i "stream node"
    let entries = ResizeArray<StreamEntry>()
    let nodes = Array.zeroCreate<StreamNode> nodeCount
    let mutable prevKey = ValueNone

    for k in 0 .. nodeCount - 1 do
        let keyAt = int64 i.Pos
        let key = readString i

        if key.Length <> 16 then
            raise (Corrupt(keyAt, "a stream node key is not a stream ID"))

        let at = int64 i.Pos
        let blob = readString i

        let prev =
            if entries.Count > 0 then
                ValueSome entries[entries.Count - 1].Id
            else
                prevKey

        let node = readStreamNode key blob at entries prev

        match prevKey with
        | ValueSome p when StreamId.compare p node.MasterId >= 0 ->
            raise (Corrupt(keyAt, "stream node keys out of order"))
        | _ -> ()

        prevKey <- ValueSome node.MasterId
        nodes[k] <- node

    let lengthAt = i.Pos
    let length = readULength i

    if length <> uint64 entries.Count then
        raise (Corrupt(int64 lengthAt, sprintf "stream length %d does not match its %d entries" length entries.Count))

    let lastAt = i.Pos

    let lastId =
        {
            Ms = readULength i
            Seq = readULength i
        }

    if entries.Count > 0 && StreamId.compare lastId entries[entries.Count - 1].Id < 0 then
        raise (Corrupt(int64 lastAt, "the stream's last ID is before its last entry"))

    let maxDeleted, added =
        if t = TypeStreamListpacks then
            StreamId.zero, int64 entries.Count
        else
            readULength i |> ignore // first ID: recomputed from the entries
            readULength i |> ignore

            let maxDeleted =
                {
                    Ms = readULength i
                    Seq = readULength i
                }

            let addedAt = i.Pos
            let added = readULength i

            if added > uint64 Int64.MaxValue then
                raise (Corrupt(int64 addedAt, "entries added out of range"))

            maxDeleted, int64 added

    let s =
        { RedisStream.empty with
            Entries = Tree.ofArray (entries.ToArray())
            Nodes = Tree.ofArray nodes
            LastId = lastId
            MaxDeletedId = maxDeleted
            EntriesAdded = added
        }

    let groupCount = readCount i "consumer group"

    let groups =
        Array.init groupCount (fun _ -> readGroup i t s)
        |> sortedUnique i "consumer group" StreamComparers.Groups

    Value.Stream { s with Groups = Tree.ofArray groups }

/// rdbLoadObject for one value of the given type.
let private readValue (i: Input) (limits: RdbLimits) (t: byte) : Value =
    match t with
    | TypeString -> Value.String(readString i)
    | TypeList ->
        let n = readCount i "list"
        nonEmpty i n
        Value.List(RedisList.ofArray (Array.init n (fun _ -> readString i)))
    | TypeSet ->
        let n = readCount i "set"
        nonEmpty i n
        membersToSet limits (Array.init n (fun _ -> readString i)) i
    | TypeZset
    | TypeZset2 ->
        let n = readCount i "sorted set"
        nonEmpty i n

        let entries =
            Array.init n (fun _ ->
                let m = readString i

                {
                    Member = m
                    Score =
                        if t = TypeZset then
                            readTextDouble i
                        else
                            readBinaryDouble i
                })

        entriesToZset limits entries i
    | TypeHash ->
        let n = readCount i "hash"
        nonEmpty i n
        pairsToHash limits (Array.init (2 * n) (fun _ -> readString i)) i
    | TypeHashZipmap ->
        let at = int64 i.Pos
        pairsToHash limits (zipmapEntries (readString i) at) i
    | TypeListZiplist ->
        let at = int64 i.Pos
        let items = ziplistEntries (readString i) at
        nonEmpty i items.Length
        Value.List(RedisList.ofArray items)
    | TypeSetIntset ->
        let at = int64 i.Pos
        let members = intsetMembers (readString i) at
        nonEmpty i members.Length
        membersToSet limits members i
    | TypeSetListpack ->
        let at = int64 i.Pos
        let members = listpackEntries (readString i) at
        nonEmpty i members.Length
        membersToSet limits members i
    | TypeZsetZiplist ->
        let at = int64 i.Pos
        flatToZset limits (ziplistEntries (readString i) at) i
    | TypeZsetListpack ->
        let at = int64 i.Pos
        flatToZset limits (listpackEntries (readString i) at) i
    | TypeHashZiplist ->
        let at = int64 i.Pos
        pairsToHash limits (ziplistEntries (readString i) at) i
    | TypeHashListpack ->
        let at = int64 i.Pos
        pairsToHash limits (listpackEntries (readString i) at) i
    | TypeListQuicklist
    | TypeListQuicklist2 ->
        let nodes = readCount i "quicklist node"
        let items = ResizeArray<Bytes>()

        for _ in 1..nodes do
            let container =
                if t = TypeListQuicklist2 then
                    readLength i
                else
                    QuicklistPacked

            let at = int64 i.Pos
            let blob = readString i

            if container = QuicklistPlain then
                items.Add blob
            elif t = TypeListQuicklist then
                items.AddRange(ziplistEntries blob at)
            else
                items.AddRange(listpackEntries blob at)

        nonEmpty i items.Count
        Value.List(RedisList.ofArray (items.ToArray()))
    | TypeStreamListpacks
    | TypeStreamListpacks2
    | TypeStreamListpacks3 -> readStream i t
    | TypeModule
    | TypeModule2 -> i.Fail "module values are not supported"
    | other -> i.Fail(sprintf "unknown value type %d" other)

/// RESTORE's payload check and decode: the footer's RDB version must be one we read and its CRC-64 must
/// match (verifyDumpPayload); Error "version" or "checksum" or the decode failure.
type PayloadError =
    | BadVersionOrChecksum
    | BadFormat of RdbError

let restore (limits: RdbLimits) (payload: Bytes) : Result<Value, PayloadError> =
    if payload.Length < 10 then
        Error BadVersionOrChecksum
    else
        let footer = payload.Length - 10

        let version =
            int (BinaryPrimitives.ReadUInt16LittleEndian(ReadOnlySpan(payload, footer, 2)))

        let crc =
            BinaryPrimitives.ReadUInt64LittleEndian(ReadOnlySpan(payload, footer + 2, 8))

        if
            version > readVersion
            || Crc64.compute (ReadOnlySpan(payload, 0, footer + 2)) <> crc
        then
            Error BadVersionOrChecksum
        else
            let i = Input(payload, 0, footer)

            try
                let t = i.Byte()
                let v = readValue i limits t

                if i.Remaining <> 0 then
                    i.Fail "trailing bytes after the value"

                Ok v
            with Corrupt(at, m) ->
                Error(BadFormat { Offset = at; Message = m })

/// One key as read from a file.
type RdbEntry =
    {
        Db: int
        Key: Bytes
        Value: Value
        /// Unix ms, or -1 for none.
        ExpireAtMs: int64
    }

/// A whole file's contents.
type RdbFile =
    {
        Version: int
        Aux: (string * Bytes) list
        Entries: RdbEntry[]
    }

/// Read a whole RDB file: the header, every record, EOF and (version 5 and later) the CRC-64, which is
/// checked unless it is zero (rdbchecksum no). Each key goes to onEntry (db, key, value, deadline ms or
/// -1) as it is read; any problem refuses the whole file (the caller must then drop what it was given).
/// Returns the version and the AUX fields.
let readFileWith
    (limits: RdbLimits)
    (data: byte[])
    (onEntry: int -> Bytes -> Value -> int64 -> unit)
    : Result<int * (string * Bytes) list, RdbError> =
    let i = Input(data, 0, data.Length)

    try
        let magic = i.Span 9

        if not (magic.Slice(0, 5).SequenceEqual("REDIS"B)) then
            i.Fail "not an RDB file (no REDIS signature)"

        let version =
            match Int32.TryParse(Encoding.ASCII.GetString(magic.Slice 5)) with
            | true, v when v >= 1 && v <= readVersion -> v
            | true, v -> raise (Corrupt(5L, sprintf "can't handle RDB format version %d" v))
            | _ -> raise (Corrupt(5L, "bad RDB version field"))

        let aux = ResizeArray<string * Bytes>()
        let mutable db = 0
        let mutable expireAt = -1L
        let mutable fin = false

        while not fin do
            let op = i.Byte()

            match op with
            | OpEof -> fin <- true
            | OpSelectDb ->
                let n = readLength i

                if n > 1_000_000L then
                    i.Fail(sprintf "database number %d out of range" n)

                db <- int n
            | OpResizeDb ->
                readLength i |> ignore
                readLength i |> ignore
            | OpExpireTimeMs -> expireAt <- BinaryPrimitives.ReadInt64LittleEndian(i.Span 8)
            | OpExpireTime -> expireAt <- int64 (BinaryPrimitives.ReadInt32LittleEndian(i.Span 4)) * 1000L
            | OpAux ->
                let name = readString i
                let value = readString i
                aux.Add(Encoding.Latin1.GetString name, value)
            | OpFreq -> i.Byte() |> ignore
            | OpIdle -> readLength i |> ignore
            | OpModuleAux -> i.Fail "module auxiliary data is not supported"
            | OpFunction
            | OpFunction2 -> i.Fail "functions are not supported"
            | t ->
                let key = readString i
                let value = readValue i limits t

                onEntry db key value expireAt

                expireAt <- -1L

        if version >= 5 then
            let at = i.Pos
            let expected = Crc64.compute (ReadOnlySpan(data, 0, at))
            let stored = BinaryPrimitives.ReadUInt64LittleEndian(i.Span 8)

            if stored <> 0UL && stored <> expected then
                raise (Corrupt(int64 at, "wrong RDB checksum"))

        Ok(version, List.ofSeq aux)
    with Corrupt(at, m) ->
        Error { Offset = at; Message = m }

/// Read a whole RDB file into memory (see readFileWith).
let readFile (limits: RdbLimits) (data: byte[]) : Result<RdbFile, RdbError> =
    let entries = ResizeArray<RdbEntry>()

    readFileWith limits data (fun db key value expireAt ->
        entries.Add
            {
                Db = db
                Key = key
                Value = value
                ExpireAtMs = expireAt
            })
    |> Result.map (fun (version, aux) ->
        {
            Version = version
            Aux = aux
            Entries = entries.ToArray()
        })
