/// The memory figure maxmemory is compared with (INFO used_memory): an estimate of the bytes the data
/// set holds, kept exactly as writes happen (Db.Used, updated by Db.set / remove / setDeadline), plus a
/// fixed start-up figure. Redis counts what its allocator hands out (zmalloc_used_memory); the .NET heap
/// only knows how much is live after a collection, and evicting a key frees nothing until then, so a
/// heap figure cannot drive eviction key by key. The estimate follows the objects a key costs here
/// (64-bit .NET: 16-byte headers, byte arrays of 24 bytes plus their data rounded to 8, trie entries);
/// a collection is sized from its count and a few sampled elements, as Redis's MEMORY USAGE samples
/// (objectComputeSize). Client buffers are not counted (their limits bound them).
module CoolCache.Core.Keyspace.Memory

open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Values

/// The heap of an idle server (command table, configuration, empty databases), measured with
/// GC.GetTotalMemory(true) after start-up (about 0.4 MB), rounded up: INFO used_memory_startup.
[<Literal>]
let Startup = 524288L

/// A byte array of n bytes: header and length (24), the data rounded up to 8.
let inline bytesObject (n: int) = 24L + int64 ((n + 7) &&& ~~~7)

/// One entry of a trie map (key and value references, 16 bytes) and its share of the nodes and their
/// arrays (measured: a 500,000-key map costs 40 bytes per entry besides keys and values).
[<Literal>]
let Entry = 40L

/// What a key costs besides its value: its bytes, its entry in the key map and in the access map.
let inline keyBytes (key: Bytes) = bytesObject key.Length + Entry + Entry

/// What a deadline costs: its entry in the deadline map and its node in the expiry index (measured).
[<Literal>]
let DeadlineBytes = 96L

/// A string value: the value object (24) and its byte array.
let inline stringBytes (b: Bytes) = 24L + bytesObject b.Length

/// A collection's fixed cost: value object, record, map or tree wrapper, and its entry in Db.Sizes.
[<Literal>]
let private CollectionBytes = 120L

/// How many elements a collection's estimate reads.
[<Literal>]
let private Samples = 3

/// count × the mean of f over a few pseudo-random entries of the map (the same seeds every time, so
/// the estimate of an unchanged map does not move).
let inline private sampledMap (m: HashMap<Bytes, 'V>) (perEntry: int64) ([<InlineIfLambda>] f: Bytes -> 'V -> int64) =
    let n = m.Count

    if n = 0 then
        0L
    else
        let mutable sum = 0L

        for k in 1..Samples do
            match HashMap.randomEntry (uint64 k) m with
            | ValueSome(struct (key, v)) -> sum <- sum + f key v
            | ValueNone -> ()

        int64 n * (perEntry + sum / int64 Samples)

/// A list element: its tree node (56) and its bytes.
let private listBytes (l: RedisList) =
    let n = RedisList.length l

    if n = 0 then
        0L
    else
        // The ends: where pushes and pops happen, so their nodes are at hand.
        let sample =
            bytesObject (Tree.item 0 l).Length + bytesObject (Tree.item (n - 1) l).Length

        int64 n * (56L + sample / 2L)

/// A stream entry: its tree node (72), its field array and the field and value bytes.
let private entryBytes (e: StreamEntry) =
    let mutable sum = 72L + 24L + 8L * int64 e.Fields.Length

    for f in e.Fields do
        sum <- sum + bytesObject f.Length

    sum

let private streamBytes (x: RedisStream) =
    let n = x.Entries.Count

    let entries =
        if n = 0 then
            0L
        else
            int64 n
            * ((entryBytes (Tree.item 0 x.Entries) + entryBytes (Tree.item (n - 1) x.Entries))
               / 2L)

    let mutable groups = 0L

    for i in 0 .. x.Groups.Count - 1 do
        let g = Tree.item i x.Groups
        // a pending entry sits in the group's PEL and in its consumer's list
        groups <- groups + 160L + int64 g.Pel.Count * 144L + int64 g.Consumers.Count * 120L

    entries + int64 x.Nodes.Count * 104L + groups

/// The bytes a value costs (key costs apart). Strings exactly, collections estimated. O(1) for strings,
/// O(log n) for collections, O(groups) for streams.
let valueBytes (v: Value) =
    match v with
    | Value.String b
    | Value.RawString b
    | Value.EmbString b
    | Value.UnsharedString b -> stringBytes b
    | Value.Hash h ->
        CollectionBytes
        + sampledMap h.Fields Entry (fun f v -> bytesObject f.Length + bytesObject v.Length)
    | Value.Set s -> CollectionBytes + sampledMap s.Members Entry (fun m _ -> bytesObject m.Length)
    | Value.List l -> CollectionBytes + listBytes l
    | Value.SortedSet z ->
        // member map entry and its slot in the score tree
        CollectionBytes
        + sampledMap z.Scores (Entry + 16L) (fun m _ -> bytesObject m.Length)
    | Value.Stream x -> CollectionBytes + streamBytes x

/// Whether the value is sized from its bytes alone (no entry in Db.Sizes).
let inline isString (v: Value) =
    match v with
    | Value.String _
    | Value.RawString _
    | Value.EmbString _
    | Value.UnsharedString _ -> true
    | _ -> false
