/// Persistent hash map: a CHAMP trie (Steindorfer & Vinju, OOPSLA 2015). Each node has a datamap of inline
/// entries and a nodemap of sub-nodes over 5-bit fragments of the key's position (its bit-reversed 32-bit
/// hash, so the low hash bits pick the top-level slot), with collision nodes below the last level. Deletes
/// inline single-entry sub-nodes, so the structure (and the iteration/SCAN order) depends only on the key set.
namespace CoolCache.Core.Collections

open System
open System.Collections
open System.Collections.Generic

/// An immutable map from keys to values under an equality comparer. Lookups and updates are O(log32 n),
/// plus a linear scan of the (normally tiny) group of keys sharing one full 32-bit hash.
[<Sealed>]
type HashMap<'K, 'V> internal (comparer: IEqualityComparer<'K>, root: Node<'K, 'V>, count: int) =
    /// The key comparer (hash and equality). O(1).
    member _.Comparer = comparer
    member internal _.Root = root
    /// Number of entries. O(1).
    member _.Count = count
    /// O(1).
    member _.IsEmpty = count = 0

    /// O(log32 n), no allocation.
    member _.TryFind(key: 'K) : 'V voption = Champ.tryFind comparer root key

    /// O(log32 n), no allocation.
    member _.ContainsKey(key: 'K) =
        (Champ.tryFind comparer root key).IsSome

    /// O(log32 n): copies the path to the key. Replaces an existing value (and key).
    member _.Add(key: 'K, value: 'V) =
        let struct (root', added) =
            Champ.add comparer root key value (Champ.position (comparer.GetHashCode key)) 0

        HashMap(comparer, root', (if added then count + 1 else count))

    /// O(log32 n): copies the path to the key. Returns this same instance when the key is absent.
    member this.Remove(key: 'K) =
        let root' =
            Champ.remove comparer root key (Champ.position (comparer.GetHashCode key)) 0

        if obj.ReferenceEquals(root, root') then
            this
        else
            HashMap(comparer, root', count - 1)

    /// Owned (transient) add: returns exactly what Add returns (same entries, structure and iteration
    /// order), but trie nodes stamped with `owner` are edited in place instead of copied, and the nodes it
    /// creates are stamped with `owner`. Replacing the value of a key whose path is already owned allocates
    /// nothing (this same map is returned); adding a key allocates only the grown node's array (plus a new
    /// sub-node when two keys now share a slot) and the result wrapper. A null owner makes it Add.
    /// Contract: this map and every other map value sharing nodes stamped with `owner` (earlier versions,
    /// results of persistent operations on them) may change and become invalid; the caller promises nobody
    /// still needs them. To keep a snapshot unchanged, use a fresh owner object for all later owned edits
    /// (nodes stamped with an old owner are then never mutated again). Persistent Add/Remove never mutate
    /// anything, whatever the owners. Not thread-safe with concurrent readers of the same nodes. O(log32 n).
    member this.AddOwned(owner: obj, key: 'K, value: 'V) : HashMap<'K, 'V> =
        if isNull owner then
            this.Add(key, value)
        else
            let pos = Champ.position (comparer.GetHashCode key)

            if Champ.tryReplaceOwned owner comparer root key value pos then
                this
            else

                let struct (root', added) = Champ.addOwned owner comparer root key value pos 0

                if added then HashMap(comparer, root', count + 1)
                elif obj.ReferenceEquals(root, root') then this
                else HashMap(comparer, root', count)

    /// The common owned update in one walk: when key is in the map on a path of nodes stamped with
    /// `owner` (not null), stores value in place (keeping the stored key object, handed back in
    /// `storedKey`), sets `old` to the value it replaced and returns 1; returns 0 when key is absent and -1
    /// when a node on the way is not owned (then nothing changed: use TryFind and AddOwned). Same contract
    /// as AddOwned. O(log32 n), no allocation.
    member _.TryExchangeOwned(owner: obj, key: 'K, value: 'V, storedKey: byref<'K>, old: byref<'V>) : int =
        if isNull owner then
            -1
        else
            let pos = Champ.position (comparer.GetHashCode key)
            Champ.tryExchangeOwned owner comparer root key value pos true &storedKey &old

    /// TryExchangeOwned that stores the key object given in place of the stored one (as AddOwned does),
    /// so a fresh key sits next to the fresh value it was read with; only where no other map holds the
    /// stored key object, or the key's bytes stay alive twice. Same results. O(log32 n), no allocation.
    member _.TryReplaceOwned(owner: obj, key: 'K, value: 'V, old: byref<'V>) : int =
        if isNull owner then
            -1
        else
            let mutable storedKey = Unchecked.defaultof<'K>
            let pos = Champ.position (comparer.GetHashCode key)
            Champ.tryExchangeOwned owner comparer root key value pos false &storedKey &old

    /// Where key's entry is, for an in-place edit of its value that every map sharing the node sees:
    /// the index in the array handed back in `entries` (-1 when absent). Only for values nobody treats
    /// as part of a snapshot (the keyspace's access stamps); everything else uses the owned edits.
    /// O(log32 n), no allocation.
    member internal _.TryFindSlot(key: 'K, entries: byref<struct ('K * 'V)[]>) : int =
        Champ.tryFindSlot comparer root key &entries

    /// Where key's entry is when the path to it is owned by `owner` (not null): the index in the array
    /// handed back in `entries`, which the owner may then edit in place (same contract as AddOwned);
    /// -1 when the key is absent, -2 when a node on the way is not owned. O(log32 n), no allocation.
    member internal _.TryFindOwnedSlot(owner: obj, key: 'K, entries: byref<struct ('K * 'V)[]>) : int =
        Champ.tryFindOwnedSlot owner comparer root key &entries

    /// Owned (transient) remove: returns exactly what Remove returns (this same instance when the key is
    /// absent), editing nodes stamped with `owner` in place; same contract as AddOwned. A null owner makes
    /// it Remove. O(log32 n).
    member this.RemoveOwned(owner: obj, key: 'K) : HashMap<'K, 'V> =
        if isNull owner then
            this.Remove key
        else
            let struct (root', removed) =
                Champ.removeOwned owner comparer root key (Champ.position (comparer.GetHashCode key)) 0

            if removed then
                HashMap(comparer, root', count - 1)
            else
                this

    /// Position of a hash in iteration order (the SCAN cursor space): bit-reversed 32-bit hash. O(1).
    static member Position(h: int) : uint32 = Champ.position h

    /// Entries in iteration order (ascending Position of the key's hash; entries with equal positions in
    /// the key type's order when it has one). O(1) to create, O(n) to enumerate.
    member _.ToSeq() : seq<struct ('K * 'V)> =
        { new IEnumerable<struct ('K * 'V)> with
            member _.GetEnumerator() =
                new ChampEnumerator<'K, 'V>(root) :> IEnumerator<struct ('K * 'V)>
          interface IEnumerable with
              member _.GetEnumerator() =
                  new ChampEnumerator<'K, 'V>(root) :> IEnumerator
        }

module HashMap =
    /// The empty map for a comparer. O(1).
    let empty<'K, 'V> (comparer: IEqualityComparer<'K>) : HashMap<'K, 'V> =
        HashMap(comparer, Node(0u, 0u, Champ.empty (), Champ.empty ()), 0)

    /// O(1).
    let inline count (m: HashMap<'K, 'V>) = m.Count
    /// O(log32 n).
    let inline tryFind (key: 'K) (m: HashMap<'K, 'V>) = m.TryFind key
    /// O(log32 n).
    let inline containsKey (key: 'K) (m: HashMap<'K, 'V>) = m.ContainsKey key
    /// O(log32 n). Replaces an existing value.
    let inline add (key: 'K) (value: 'V) (m: HashMap<'K, 'V>) = m.Add(key, value)
    /// O(log32 n). Returns the same map when the key is absent.
    let inline remove (key: 'K) (m: HashMap<'K, 'V>) = m.Remove key

    /// Owned add (see HashMap.AddOwned for the contract): the result of add, editing nodes stamped with
    /// `owner` in place. O(log32 n).
    let inline addOwned (owner: obj) (key: 'K) (value: 'V) (m: HashMap<'K, 'V>) = m.AddOwned(owner, key, value)

    /// Owned remove (see HashMap.AddOwned for the contract): the result of remove, editing nodes stamped
    /// with `owner` in place. O(log32 n).
    let inline removeOwned (owner: obj) (key: 'K) (m: HashMap<'K, 'V>) = m.RemoveOwned(owner, key)

    /// Position of a key in iteration order (the SCAN cursor space is position + 1). O(hash).
    let position (comparer: IEqualityComparer<'K>) (key: 'K) =
        Champ.position (comparer.GetHashCode key)

    /// Upsert or delete in one step: f gets the current value (or ValueNone) and returns the new one
    /// (ValueNone deletes). O(log32 n).
    let change (key: 'K) (f: 'V voption -> 'V voption) (m: HashMap<'K, 'V>) =
        match f (m.TryFind key) with
        | ValueSome v -> m.Add(key, v)
        | ValueNone -> m.Remove key

    /// Owned change (see HashMap.AddOwned for the contract): the result of change, editing nodes stamped
    /// with `owner` in place. O(log32 n).
    let changeOwned (owner: obj) (key: 'K) (f: 'V voption -> 'V voption) (m: HashMap<'K, 'V>) =
        match f (m.TryFind key) with
        | ValueSome v -> m.AddOwned(owner, key, v)
        | ValueNone -> m.RemoveOwned(owner, key)

    /// Entries in iteration order (stable for a given set of keys). O(n) to enumerate.
    let toSeq (m: HashMap<'K, 'V>) = m.ToSeq()

    /// Folds over the entries in iteration order, without an enumerator. O(n).
    let fold (folder: 'S -> 'K -> 'V -> 'S) (state: 'S) (m: HashMap<'K, 'V>) : 'S =
        Champ.fold (OptimizedClosures.FSharpFunc<_, _, _, _>.Adapt folder) state m.Root 0

    /// A map with the same keys and every value mapped: the trie is copied node for node (no hashing,
    /// no sorting), a persistent map. O(n).
    let mapValues (f: 'K -> 'V -> 'W) (m: HashMap<'K, 'V>) : HashMap<'K, 'W> =
        HashMap(m.Comparer, Champ.mapValues f m.Root, m.Count)

    /// Builds a map in bulk from an array of entries (later duplicates win, as with repeated add): sorts by
    /// position and builds the canonical trie bottom-up, without path copying (loading an RDB file). O(n log n).
    let ofArray (comparer: IEqualityComparer<'K>) (items: struct ('K * 'V)[]) : HashMap<'K, 'V> =
        // Sort keys: position in the high half, input index in the low half (stable: first occurrence first).
        let order = Array.zeroCreate<uint64> items.Length

        for i in 0 .. items.Length - 1 do
            order[i] <-
                (uint64 (Champ.position (let struct (k, _) = items[i] in comparer.GetHashCode k))
                 <<< 32)
                ||| uint64 i

        Array.Sort order
        let es = ResizeArray<struct ('K * 'V)>(items.Length)
        let ps = ResizeArray<uint32>(items.Length)
        let collisionOrder = Champ.collisionOrder comparer
        let mutable i = 0

        while i < order.Length do
            let pos = uint32 (order[i] >>> 32)
            let groupStart = es.Count

            while i < order.Length && uint32 (order[i] >>> 32) = pos do
                let struct (k, v) = items[int (uint32 order[i])]
                let mutable j = groupStart

                while j < es.Count && not (let struct (k', _) = es[j] in comparer.Equals(k', k)) do
                    j <- j + 1

                if j < es.Count then
                    es[j] <- struct (k, v)
                else
                    // Keep collision groups in the same order repeated adds would give (stable insertion).
                    let mutable at = es.Count

                    match collisionOrder with
                    | ValueSome o ->
                        while at > groupStart && (let struct (k', _) = es[at - 1] in o.Compare(k', k) > 0) do
                            at <- at - 1
                    | ValueNone -> ()

                    es.Insert(at, struct (k, v))
                    ps.Add pos

                i <- i + 1

        let es = es.ToArray()
        let root = Champ.build es (ps.ToArray()) 0 es.Length 0
        HashMap(comparer, root, es.Length)

    /// Builds a map in bulk (later duplicates win, as with repeated add); see ofArray. O(n log n).
    let ofSeq (comparer: IEqualityComparer<'K>) (entries: seq<'K * 'V>) : HashMap<'K, 'V> =
        entries
        |> Seq.map (fun (k, v) -> struct (k, v))
        |> Seq.toArray
        |> ofArray comparer

    /// One SCAN step: from cursor (0 = start), returns at least `count` entries when that many remain
    /// (never splitting a group of equal-position entries) and the next cursor (0 = done). Every entry
    /// present for the whole scan is returned at least once, even if others are added or removed between
    /// calls. Cursor = (next position) + 1, as uint64, where the next position ends the trie range (slot)
    /// last visited. O(log32 n + count): descends directly to the cursor.
    let scan (cursor: uint64) (count: int) (m: HashMap<'K, 'V>) : struct (uint64 * struct ('K * 'V)[]) =
        if cursor > (1UL <<< 32) then
            struct (0UL, [||])
        else
            let st =
                Champ.ScanState<'K, 'V>((if cursor = 0UL then 0UL else cursor - 1UL), max 1 count)

            let stopped = Champ.scanNode m.Comparer m.Root 0 0UL st
            let next = if stopped && st.More then st.LastEnd + 1UL else 0UL
            struct (next, st.Acc.ToArray())

    /// A pseudo-random entry chosen by seed (not necessarily uniform, but every entry has a non-zero
    /// chance); ValueNone when empty. O(log32 n): descends by the mixed seed's digits.
    let randomEntry (seed: uint64) (m: HashMap<'K, 'V>) : struct ('K * 'V) voption =
        if m.IsEmpty then
            ValueNone
        else
            let mutable s = Champ.mix64 seed
            let mutable node = m.Root
            let mutable shift = 0
            let mutable result = ValueNone

            while result.IsNone do
                if shift > 30 then
                    result <- ValueSome node.Entries[int (s % uint64 node.Entries.Length)]
                else
                    let n = uint64 (node.Entries.Length + node.Children.Length)
                    let i = int (s % n)
                    s <- s / n

                    if i < node.Entries.Length then
                        result <- ValueSome node.Entries[i]
                    else
                        node <- node.Children[i - node.Entries.Length]
                        shift <- shift + 5

            result
