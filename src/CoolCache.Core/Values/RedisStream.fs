/// Streams (t_stream.c, Redis 7.0): entries ordered by ID in a persistent tree, the consumer groups
/// with their pending-entries lists, and the bookkeeping Redis keeps (last generated ID, the highest
/// deleted ID, entries added; per group the last delivered ID and entries read, from which lag is
/// estimated). Redis packs entries into listpack nodes (at most stream-node-max-entries entries, about
/// stream-node-max-bytes bytes) and approximate trimming (~) removes whole nodes only: StreamNode
/// replays that packing (entry counts and listpack sizes, not the bytes), so XTRIM ~ keeps what Redis
/// keeps and XINFO reports its radix-tree figures.
namespace CoolCache.Core.Values

open System
open System.Collections.Generic
open CoolCache.Core
open CoolCache.Core.Collections


/// One entry: its ID and its fields and values, alternating.
[<Struct>]
type StreamEntry = { Id: StreamId; Fields: Bytes[] }

/// One of Redis's listpack nodes, as far as trimming and XINFO need it: the master entry (the first
/// entry's fields; its ID is the node's key), the last ID written into it (deleted or not), how many
/// entries are live and how many are flagged deleted, and its listpack size without the two counters.
[<Struct>]
type StreamNode =
    {
        MasterId: StreamId
        /// The first entry's field/value array (its fields are the master fields).
        Master: Bytes[]
        LastId: StreamId
        Live: int
        Deleted: int
        /// Listpack bytes apart from the live and deleted counters (header, master entry, entries).
        Body: int
    }

/// A pending entry (streamNACK): delivered to Consumer, not yet acknowledged.
[<Struct>]
type PendingEntry =
    {
        Id: StreamId
        Consumer: Bytes
        /// Unix ms of the last delivery.
        DeliveryTime: int64
        DeliveryCount: int64
    }

/// A consumer of a group: when it was last seen and the IDs pending for it (streamConsumer).
type StreamConsumer =
    {
        Name: Bytes
        SeenTime: int64
        Pending: Tree<StreamId>
    }

/// A consumer group (streamCG): consumers by name (Redis's rax order), the group PEL by ID.
type ConsumerGroup =
    {
        Name: Bytes
        LastId: StreamId
        /// Logical count of entries delivered (-1: unknown, SCG_INVALID_ENTRIES_READ).
        EntriesRead: int64
        Pel: Tree<PendingEntry>
        Consumers: Tree<StreamConsumer>
    }

/// A stream value. The first entry's ID (Redis's first_id) is the first live entry's, or 0-0 when
/// empty: every command that changes the first entry recomputes it so in Redis too.
type RedisStream =
    {
        Entries: Tree<StreamEntry>
        Nodes: Tree<StreamNode>
        LastId: StreamId
        MaxDeletedId: StreamId
        EntriesAdded: int64
        /// Groups by name (Redis's rax order).
        Groups: Tree<ConsumerGroup>
    }

/// stream-node-max-bytes and stream-node-max-entries (0 = no limit of that kind).
[<Struct>]
type StreamNodeLimits = { MaxBytes: int64; MaxEntries: int64 }

/// How XADD and XTRIM trim (streamAddTrimArgs).
[<RequireQualifiedAccess; Struct>]
type StreamTrim =
    | None
    | MaxLen of maxLen: int64
    | MinId of minId: StreamId

/// Listpack sizes (listpack.c), for StreamNode: an element is its encoding plus a back-length.
module internal Listpack =
    let inline private backlen (l: int) =
        if l <= 127 then 1
        elif l < 16383 then 2
        elif l < 2097151 then 3
        elif l < 268435455 then 4
        else 5

    /// An integer element (lpEncodeIntegerGetType), back-length included.
    let intSize (v: int64) =
        let enc =
            if v >= 0L && v <= 127L then 1
            elif v >= -4096L && v <= 4095L then 2
            elif v >= -32768L && v <= 32767L then 3
            elif v >= -8388608L && v <= 8388607L then 4
            elif v >= -2147483648L && v <= 2147483647L then 5
            else 9

        enc + 1

    /// A string element: an integer when it reads as one (lpStringToInt64), else 6/12/32-bit length.
    let stringSize (b: Bytes) =
        let n = b.Length

        match
            (if n > 0 && n < 21 then
                 Numbers.tryParseInt64 b
             else
                 ValueNone)
        with
        | ValueSome v -> intSize v
        | ValueNone ->
            let enc =
                if n < 64 then 1 + n
                elif n < 4096 then 2 + n
                else 5 + n

            enc + backlen enc

    /// lpNew: the 6-byte header and the end byte.
    [<Literal>]
    let Empty = 7

/// Comparers for the trees a stream holds.
[<Sealed>]
type internal StreamComparers private () =
    static member val Ids =
        { new IComparer<StreamId> with
            member _.Compare(a, b) = StreamId.compare a b
        }

    static member val Pending =
        { new IComparer<PendingEntry> with
            member _.Compare(a, b) = StreamId.compare a.Id b.Id
        }

    static member val Consumers =
        { new IComparer<StreamConsumer> with
            member _.Compare(a, b) = Bytes.compare a.Name b.Name
        }

    static member val Groups =
        { new IComparer<ConsumerGroup> with
            member _.Compare(a, b) = Bytes.compare a.Name b.Name
        }

module RedisStream =
    /// SCG_INVALID_ENTRIES_READ.
    [<Literal>]
    let InvalidEntriesRead = -1L

    /// Redis's defaults (stream-node-max-bytes 4096, stream-node-max-entries 100).
    let defaultLimits = { MaxBytes = 4096L; MaxEntries = 100L }

    /// A new empty stream (XGROUP CREATE ... MKSTREAM; XADD adds to it).
    let empty =
        {
            Entries = Tree.empty
            Nodes = Tree.empty
            LastId = StreamId.zero
            MaxDeletedId = StreamId.zero
            EntriesAdded = 0L
            Groups = Tree.empty
        }

    /// XLEN. O(1).
    let inline length (s: RedisStream) = s.Entries.Count

    /// Redis's first_id: the first live entry's ID, 0-0 when empty. O(log n).
    let firstId (s: RedisStream) =
        if s.Entries.IsEmpty then
            StreamId.zero
        else
            (Tree.item 0 s.Entries).Id

    /// streamLastValidID: the last live entry's ID, 0-0 when empty. O(log n).
    let lastValidId (s: RedisStream) =
        if s.Entries.IsEmpty then
            StreamId.zero
        else
            (Tree.item (s.Entries.Count - 1) s.Entries).Id

    /// The position of the first element whose key is >= id in a tree sorted by key (the count when
    /// none). O(log n), no allocation.
    let inline internal lowerBoundBy ([<InlineIfLambda>] key: 'T -> StreamId) (id: StreamId) (t: Tree<'T>) =
        let mutable n = t.Root
        let mutable offset = 0
        let mutable result = t.Count

        while not (isNull n) do
            if StreamId.compare (key n.Value) id >= 0 then
                result <- offset + Wbt.size n.Left
                n <- n.Left
            else
                offset <- offset + Wbt.size n.Left + 1
                n <- n.Right

        result

    let private entryLowerBound (id: StreamId) (t: Tree<StreamEntry>) =
        lowerBoundBy (fun (e: StreamEntry) -> e.Id) id t

    /// The position of the first entry whose ID is >= id (the count when none). O(log n).
    let lowerBound (id: StreamId) (s: RedisStream) = entryLowerBound id s.Entries

    /// The entry with this ID, if any. O(log n).
    let tryFind (id: StreamId) (s: RedisStream) : StreamEntry voption =
        let i = lowerBound id s

        if i < s.Entries.Count then
            let e = Tree.item i s.Entries

            if StreamId.compare e.Id id = 0 then
                ValueSome e
            else
                ValueNone
        else
            ValueNone

    /// The entries with start <= ID <= finish, ascending (or descending when rev), at most count of
    /// them (0 = all). O(log n + count).
    let range (start: StreamId) (finish: StreamId) (count: int) (rev: bool) (s: RedisStream) : StreamEntry[] =
        if StreamId.compare start finish > 0 then
            [||]
        else
            let lo = lowerBound start s

            let hi =
                match StreamId.tryIncr finish with
                | ValueSome next -> lowerBound next s
                | ValueNone -> s.Entries.Count

            let n = hi - lo
            let take = if count > 0 && count < n then count else n

            if take <= 0 then
                [||]
            else
                let out = Array.zeroCreate take

                if rev then
                    Tree.copyRange (hi - take) take out 0 s.Entries
                    Array.Reverse out
                else
                    Tree.copyRange lo take out 0 s.Entries

                out

    // ---- Nodes (Redis's listpacks) --------------------------------------------------------------

    /// A node's listpack size (lpBytes).
    let nodeBytes (n: StreamNode) =
        n.Body + Listpack.intSize (int64 n.Live) + Listpack.intSize (int64 n.Deleted)

    let internal sameFields (master: Bytes[]) (fields: Bytes[]) =
        master.Length = fields.Length
        && (let mutable ok = true
            let mutable i = 0

            while ok && i < fields.Length do
                ok <- Bytes.equals master[i] fields[i]
                i <- i + 2

            ok)

    /// The listpack bytes an entry takes in a node (streamAppendItem's encoding).
    let internal entryBytes (masterId: StreamId) (same: bool) (id: StreamId) (fields: Bytes[]) =
        let pairs = fields.Length / 2
        let mutable size = Listpack.intSize (if same then 2L else 0L)
        size <- size + Listpack.intSize (int64 (id.Ms - masterId.Ms))
        size <- size + Listpack.intSize (int64 (id.Seq - masterId.Seq))

        if not same then
            size <- size + Listpack.intSize (int64 pairs)

        let mutable i = 0

        while i < fields.Length do
            if not same then
                size <- size + Listpack.stringSize fields[i]

            size <- size + Listpack.stringSize fields[i + 1]
            i <- i + 2

        let lpCount = if same then pairs + 3 else 2 * pairs + 4
        size + Listpack.intSize (int64 lpCount)

    let private newNode (id: StreamId) (fields: Bytes[]) =
        let pairs = fields.Length / 2

        let mutable master =
            Listpack.Empty + Listpack.intSize (int64 pairs) + Listpack.intSize 0L

        let mutable i = 0

        while i < fields.Length do
            master <- master + Listpack.stringSize fields[i]
            i <- i + 2

        {
            MasterId = id
            Master = fields
            LastId = id
            Live = 1
            Deleted = 0
            Body = master + entryBytes id true id fields
        }

    /// Append an entry to the tail node, or start a node when the tail is full (streamAppendItem).
    let private appendNode
        (owner: obj)
        (limits: StreamNodeLimits)
        (id: StreamId)
        (fields: Bytes[])
        (nodes: Tree<StreamNode>)
        =
        let count = nodes.Count

        if count = 0 then
            Tree.pushBackOwned owner (newNode id fields) nodes
        else
            let tail = Tree.item (count - 1) nodes

            let maxBytes =
                if limits.MaxBytes <= 0L || limits.MaxBytes > (1L <<< 30) then
                    1L <<< 30
                else
                    limits.MaxBytes

            let mutable total = 0L

            for f in fields do
                total <- total + int64 f.Length

            if
                int64 (nodeBytes tail) + total >= maxBytes
                || (limits.MaxEntries > 0L && int64 (tail.Live + tail.Deleted) >= limits.MaxEntries)
            then
                Tree.pushBackOwned owner (newNode id fields) nodes
            else
                let same = sameFields tail.Master fields

                Tree.setAtOwned
                    owner
                    (count - 1)
                    { tail with
                        LastId = id
                        Live = tail.Live + 1
                        Body = tail.Body + entryBytes tail.MasterId same id fields
                    }
                    nodes

    /// The position of the node holding id (the last node whose master ID is <= id).
    let private nodeOf (id: StreamId) (nodes: Tree<StreamNode>) =
        let mutable n = nodes.Root
        let mutable offset = 0
        let mutable result = nodes.Count

        while not (isNull n) do
            if StreamId.compare n.Value.MasterId id > 0 then
                result <- offset + Wbt.size n.Left
                n <- n.Left
            else
                offset <- offset + Wbt.size n.Left + 1
                n <- n.Right

        result - 1

    // ---- Writes ---------------------------------------------------------------------------------

    /// The ID XADD gives a new entry (streamAppendItem's rules): "*" (requested = ValueNone) takes
    /// the clock, or the last ID's next when the clock is behind; "<ms>-*" the next sequence of ms;
    /// an explicit ID itself. ValueNone when the ID would not be greater than the last one.
    let nextId (nowMs: int64) (requested: ParsedId voption) (s: RedisStream) : StreamId voption =
        let last = s.LastId

        let id =
            match requested with
            | ValueNone ->
                let ms = uint64 nowMs

                if ms > last.Ms then
                    ValueSome { Ms = ms; Seq = 0UL }
                else
                    StreamId.tryIncr last
            | ValueSome p when p.SeqGiven -> ValueSome p.Id
            | ValueSome p ->
                if p.Id.Ms = last.Ms then
                    if last.Seq = UInt64.MaxValue then
                        ValueNone
                    else
                        ValueSome { last with Seq = last.Seq + 1UL }
                else
                    ValueSome p.Id

        match id with
        | ValueSome i when StreamId.compare i last > 0 -> id
        | _ -> ValueNone

    /// The stream with an entry appended (id greater than LastId). O(log n); owned edits allocate a
    /// leaf and, for the node index, nothing on an owned path.
    let add (owner: obj) (limits: StreamNodeLimits) (id: StreamId) (fields: Bytes[]) (s: RedisStream) =
        let entries = Tree.pushBackOwned owner { Id = id; Fields = fields } s.Entries

        { s with
            Entries = entries
            Nodes = appendNode owner limits id fields s.Nodes
            LastId = id
            EntriesAdded = s.EntriesAdded + 1L
        }

    /// The tree without its first k entries (an owned removal for one, the common exact trim).
    let private dropFirst (owner: obj) (k: int) (t: Tree<StreamEntry>) =
        if k = 1 then
            Tree.removeAtOwned owner 0 t
        else
            Tree.removeRange 0 k t

    /// streamTrim: removes the oldest entries down to MAXLEN entries or up to MINID (exclusive), whole
    /// nodes first; approx stops at the first node it cannot remove whole; limit (> 0) caps the
    /// entries removed, node by node. Returns the stream and how many entries went.
    let trim
        (owner: obj)
        (strategy: StreamTrim)
        (approx: bool)
        (limit: int64)
        (s: RedisStream)
        : struct (RedisStream * int64) =
        match strategy with
        | StreamTrim.None -> struct (s, 0L)
        | _ ->
            let mutable entries = s.Entries
            let mutable nodes = s.Nodes
            let mutable removed = 0L
            let mutable go = true

            while go && nodes.Count > 0 do
                let len = int64 entries.Count

                match strategy with
                | StreamTrim.MaxLen maxLen when len <= maxLen -> go <- false
                | _ ->
                    let node = Tree.item 0 nodes
                    let live = int64 node.Live

                    if limit > 0L && removed + live > limit then
                        go <- false
                    else
                        let whole =
                            match strategy with
                            | StreamTrim.MaxLen maxLen -> len - live >= maxLen
                            | StreamTrim.MinId minId -> StreamId.compare node.LastId minId < 0
                            | StreamTrim.None -> false

                        if whole then
                            nodes <- Tree.removeAtOwned owner 0 nodes
                            entries <- dropFirst owner node.Live entries
                            removed <- removed + live
                        else
                            go <- false

                            if not approx then
                                // Flag entries deleted inside this node (all those the strategy
                                // removes are in it).
                                let k =
                                    match strategy with
                                    | StreamTrim.MaxLen maxLen -> int (len - maxLen)
                                    | StreamTrim.MinId minId -> entryLowerBound minId entries
                                    | StreamTrim.None -> 0

                                if k > 0 then
                                    entries <- dropFirst owner k entries

                                    nodes <-
                                        Tree.setAtOwned
                                            owner
                                            0
                                            { node with
                                                Live = node.Live - k
                                                Deleted = node.Deleted + k
                                            }
                                            nodes

                                    removed <- removed + int64 k

            if removed = 0L then
                struct (s, 0L)
            else
                struct ({ s with
                            Entries = entries
                            Nodes = nodes
                        },
                        removed)

    /// XDEL: removes the entries with these IDs (absent ones are skipped) and raises the highest
    /// deleted ID; returns the stream and how many were removed.
    let delete (owner: obj) (ids: StreamId[]) (s: RedisStream) : struct (RedisStream * int) =
        let mutable entries = s.Entries
        let mutable nodes = s.Nodes
        let mutable maxDeleted = s.MaxDeletedId
        let mutable removed = 0

        for id in ids do
            let i = entryLowerBound id entries

            if i < entries.Count && StreamId.compare (Tree.item i entries).Id id = 0 then
                entries <- Tree.removeAtOwned owner i entries
                let j = nodeOf id nodes
                let node = Tree.item j nodes

                nodes <-
                    if node.Live = 1 then
                        Tree.removeAtOwned owner j nodes
                    else
                        Tree.setAtOwned
                            owner
                            j
                            { node with
                                Live = node.Live - 1
                                Deleted = node.Deleted + 1
                            }
                            nodes

                if StreamId.compare id maxDeleted > 0 then
                    maxDeleted <- id

                removed <- removed + 1

        if removed = 0 then
            struct (s, 0)
        else
            struct ({ s with
                        Entries = entries
                        Nodes = nodes
                        MaxDeletedId = maxDeleted
                    },
                    removed)

    /// A stream equal to s that shares no owned node with it (COPY). O(n).
    let copy (s: RedisStream) =
        { s with
            Entries = Tree.ofArray (Tree.toArray s.Entries)
            Nodes = Tree.ofArray (Tree.toArray s.Nodes)
        }

    // ---- Lag (streamRangeHasTombstones, streamEstimateDistanceFromFirstEverEntry) ---------------

    /// Whether a deleted entry may lie in [start, finish]: the highest deleted ID is in the range and
    /// not before the first entry.
    let rangeHasTombstones (start: StreamId) (finish: StreamId) (s: RedisStream) =
        if s.Entries.IsEmpty || StreamId.isZero s.MaxDeletedId then
            false
        elif StreamId.compare (firstId s) s.MaxDeletedId > 0 then
            false
        else
            StreamId.compare start s.MaxDeletedId <= 0
            && StreamId.compare s.MaxDeletedId finish <= 0

    /// The logical position of id counted from the first entry ever added, or InvalidEntriesRead
    /// when deletions make it unknowable.
    let estimateEntriesRead (id: StreamId) (s: RedisStream) =
        if s.EntriesAdded = 0L then
            0L
        elif s.Entries.IsEmpty && StreamId.compare id s.LastId < 1 then
            s.EntriesAdded
        else
            let cmpLast = StreamId.compare id s.LastId

            if cmpLast = 0 then
                s.EntriesAdded
            elif cmpLast > 0 then
                InvalidEntriesRead
            else
                let first = firstId s
                let cmpFirst = StreamId.compare id first

                if StreamId.isZero s.MaxDeletedId || StreamId.compare s.MaxDeletedId first < 0 then
                    if cmpFirst < 0 then
                        s.EntriesAdded - int64 s.Entries.Count
                    elif cmpFirst = 0 then
                        s.EntriesAdded - int64 s.Entries.Count + 1L
                    else
                        InvalidEntriesRead
                else
                    InvalidEntriesRead

    /// A group's lag (streamReplyWithCGLag), ValueNone when it cannot be known.
    let lag (g: ConsumerGroup) (s: RedisStream) : int64 voption =
        if s.EntriesAdded = 0L then
            ValueSome 0L
        elif
            g.EntriesRead <> InvalidEntriesRead
            && not (rangeHasTombstones g.LastId StreamId.max s)
        then
            ValueSome(s.EntriesAdded - g.EntriesRead)
        else
            match estimateEntriesRead g.LastId s with
            | InvalidEntriesRead -> ValueNone
            | read -> ValueSome(s.EntriesAdded - read)

    // ---- Radix tree figures (XINFO STREAM) --------------------------------------------------------

    /// The number of nodes of Redis's radix tree over the listpack keys (16-byte big-endian master
    /// IDs): the canonical compressed trie has a leaf per key, a node per branching point, and a
    /// compressed node for every non-empty chain of single-child bytes (one at the head when the
    /// keys share a first byte). O(nodes).
    let radixTreeNodes (s: RedisStream) =
        let keys = Tree.toArray s.Nodes |> Array.map (fun n -> n.MasterId)
        let n = keys.Length

        if n = 0 then
            1
        elif n = 1 then
            2
        else
            let byteAt (id: StreamId) (i: int) =
                if i < 8 then
                    byte (id.Ms >>> (8 * (7 - i)))
                else
                    byte (id.Seq >>> (8 * (15 - i)))

            let lcp (a: StreamId) (b: StreamId) =
                let mutable i = 0

                while i < 16 && byteAt a i = byteAt b i do
                    i <- i + 1

                i

            let lcps = Array.init (n - 1) (fun i -> lcp keys[i] keys[i + 1])
            // Leaves: a chain after the branch byte unless the key ends right there.
            let mutable compressed = 0

            for i in 0 .. n - 1 do
                let left = if i > 0 then lcps[i - 1] else -1
                let right = if i < n - 1 then lcps[i] else -1
                let parent = Operators.max left right

                if 16 - parent - 1 > 0 then
                    compressed <- compressed + 1

            // Branching nodes (LCP intervals) and their chains up to the parent's branch byte.
            let stack = Stack<int>()
            let mutable branches = 0

            let close (parent: int) (depth: int) =
                if parent < 0 then
                    // The outermost branching node: a compressed head above it unless it is the head.
                    if depth > 0 then
                        compressed <- compressed + 1
                elif depth - parent - 1 > 0 then
                    compressed <- compressed + 1

            for l in lcps do
                while stack.Count > 0 && stack.Peek() > l do
                    let d = stack.Pop()
                    let top = if stack.Count > 0 then stack.Peek() else -1
                    close (Operators.max top l) d

                if stack.Count = 0 || stack.Peek() < l then
                    stack.Push l
                    branches <- branches + 1

            while stack.Count > 0 do
                let d = stack.Pop()
                let top = if stack.Count > 0 then stack.Peek() else -1
                close top d

            n + branches + compressed
