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

/// What a key costs besides its value: its bytes and its entry in the key map, and its entry in the
/// access map when the database keeps access stamps (Db.Stamped).
let inline keyBytes (stamped: bool) (key: Bytes) =
    bytesObject key.Length + Entry + (if stamped then Entry else 0L)

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

/// A collection's estimate as Db.Sizes keeps it: its bytes, the bytes per element measured by
/// sampling when it had SampledAt elements, and the writes since. Sampling again takes a few
/// O(log n) reads, so a write reuses PerElement while the count stays within an eighth of SampledAt
/// and for up to 63 writes (values that grow in place are seen again after that).
[<Struct>]
type CollectionSize =
    {
        Bytes: int64
        PerElement: int64
        SampledAt: int
        Writes: int
    }

/// The mean of f over a few pseudo-random entries of the map (the same seeds every time, so the
/// estimate of an unchanged map does not move).
let inline private sampledMap (m: HashMap<Bytes, 'V>) ([<InlineIfLambda>] f: Bytes -> 'V -> int64) =
    if m.IsEmpty then
        0L
    else
        let mutable sum = 0L

        for k in 1..Samples do
            match HashMap.randomEntry (uint64 k) m with
            | ValueSome(struct (key, v)) -> sum <- sum + f key v
            | ValueNone -> ()

        sum / int64 Samples

/// A stream entry: its tree node (72), its field array and the field and value bytes.
let private entryBytes (e: StreamEntry) =
    let mutable sum = 72L + 24L + 8L * int64 e.Fields.Length

    for f in e.Fields do
        sum <- sum + bytesObject f.Length

    sum

/// The elements a collection holds (stream: entries). O(1).
let private count (v: Value) =
    match v with
    | Value.Hash h -> h.Fields.Count
    | Value.Set s -> s.Members.Count
    | Value.List l -> RedisList.length l
    | Value.SortedSet z -> z.Scores.Count
    | Value.Stream x -> x.Entries.Count
    | _ -> 0

/// What a collection costs apart from its elements: value object, record, wrappers, its Db.Sizes
/// entry; a stream's nodes and consumer groups (a pending entry sits in the group's PEL and in its
/// consumer's list). O(1), O(groups) for streams.
let private fixedBytes (v: Value) =
    match v with
    | Value.Stream x ->
        let mutable groups = 0L

        for i in 0 .. x.Groups.Count - 1 do
            let g = Tree.item i x.Groups
            groups <- groups + 160L + int64 g.Pel.Count * 144L + int64 g.Consumers.Count * 120L

        CollectionBytes + int64 x.Nodes.Count * 104L + groups
    | _ -> CollectionBytes

/// One element's bytes, from a few samples. O(log n).
let private perElement (v: Value) =
    match v with
    | Value.Hash h ->
        Entry
        + sampledMap h.Fields (fun f v -> bytesObject f.Length + bytesObject v.Length)
    | Value.Set s -> Entry + sampledMap s.Members (fun m _ -> bytesObject m.Length)
    // member map entry and its slot in the score tree
    | Value.SortedSet z -> Entry + 16L + sampledMap z.Scores (fun m _ -> bytesObject m.Length)
    | Value.List l ->
        let n = RedisList.length l

        if n = 0 then
            0L
        else
            // a tree node (56) each; the ends are where pushes and pops happen, so at hand
            56L
            + (bytesObject (Tree.item 0 l).Length + bytesObject (Tree.item (n - 1) l).Length)
              / 2L
    | Value.Stream x ->
        let n = x.Entries.Count

        if n = 0 then
            0L
        else
            (entryBytes (Tree.item 0 x.Entries) + entryBytes (Tree.item (n - 1) x.Entries))
            / 2L
    | _ -> 0L

/// A collection's estimate after a write, reusing the per-element bytes of the previous one while
/// that still holds (see CollectionSize). O(1) then, O(log n) when it samples.
let collectionSize (previous: CollectionSize voption) (v: Value) : CollectionSize =
    let n = count v

    match previous with
    | ValueSome p when p.Writes < 63 && abs (n - p.SampledAt) <= p.SampledAt / 8 + 1 ->
        { p with
            Bytes = fixedBytes v + int64 n * p.PerElement
            Writes = p.Writes + 1
        }
    | _ ->
        let per = perElement v

        {
            Bytes = fixedBytes v + int64 n * per
            PerElement = per
            SampledAt = n
            Writes = 0
        }

/// The bytes a value costs (key costs apart): strings exactly, collections freshly estimated.
/// O(1) for strings, O(log n) for collections, O(groups) for streams.
let valueBytes (v: Value) =
    match v with
    | Value.String b
    | Value.RawString b
    | Value.EmbString b
    | Value.UnsharedString b -> stringBytes b
    | _ -> (collectionSize ValueNone v).Bytes

/// Whether the value is sized from its bytes alone (no entry in Db.Sizes).
let inline isString (v: Value) =
    match v with
    | Value.String _
    | Value.RawString _
    | Value.EmbString _
    | Value.UnsharedString _ -> true
    | _ -> false
