/// Stream records (t_stream.c's listpack nodes, rdb.c's RDB_TYPE_STREAM_LISTPACKS 1 to 3 with consumer
/// groups, PELs and consumers) read into a RedisStream.
module internal CoolCache.Core.Rdb.RdbStreamReader

open System
open System.Buffers.Binary
open System.Text
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Values
open CoolCache.Core.Rdb.RdbFormat
open CoolCache.Core.Rdb.RdbInput

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
let readStream (i: Input) (t: byte) : Value =
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
