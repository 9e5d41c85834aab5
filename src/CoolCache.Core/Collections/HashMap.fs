/// Persistent hash map: a CHAMP trie (Steindorfer & Vinju, OOPSLA 2015). Each node has a datamap of inline
/// entries and a nodemap of sub-nodes over 5-bit fragments of the key's position (its bit-reversed 32-bit
/// hash, so the low hash bits pick the top-level slot), with collision nodes below the last level. Deletes
/// inline single-entry sub-nodes, so the structure (and the iteration/SCAN order) depends only on the key set.
namespace CoolCache.Core.Collections

open System
open System.Buffers.Binary
open System.Collections
open System.Collections.Generic
open System.Numerics

/// A trie node. Levels use shifts 0,5,..,30 of the position (the last level has 2 bits: slots 0,8,16,24);
/// a node reached with shift > 30 is a collision node: Entries hold keys of one position, bitmaps are 0.
/// Owner is null for nodes built by persistent operations, else the owner token of the owned edit that
/// created the node; only owned edits with that same token mutate the node (its fields and its arrays) in
/// place. Invariant: a non-empty array of a node with an owner belongs to that node alone (persistent
/// operations copy such arrays instead of sharing them), so an in-place edit changes no other node.
[<Sealed>]
type internal Node<'K, 'V> =
    val Owner: obj
    val mutable DataMap: uint32
    val mutable NodeMap: uint32
    val mutable Entries: struct ('K * 'V)[]
    val mutable Children: Node<'K, 'V>[]

    new(owner, dataMap, nodeMap, entries, children) =
        {
            Owner = owner
            DataMap = dataMap
            NodeMap = nodeMap
            Entries = entries
            Children = children
        }

    new(dataMap, nodeMap, entries, children) = Node(null, dataMap, nodeMap, entries, children)

module internal Champ =
    /// Bit-reversed hash: the position of a key in iteration order.
    let inline position (h: int) : uint32 =
        let mutable x = uint32 h
        x <- ((x >>> 1) &&& 0x55555555u) ||| ((x &&& 0x55555555u) <<< 1)
        x <- ((x >>> 2) &&& 0x33333333u) ||| ((x &&& 0x33333333u) <<< 2)
        x <- ((x >>> 4) &&& 0x0F0F0F0Fu) ||| ((x &&& 0x0F0F0F0Fu) <<< 4)
        BinaryPrimitives.ReverseEndianness x

    let inline slotBit (pos: uint32) (shift: int) = 1u <<< int ((pos <<< shift) >>> 27)

    let inline index (bitmap: uint32) (bit: uint32) =
        BitOperations.PopCount(bitmap &&& (bit - 1u))

    let inline empty<'T> () = Array.Empty<'T>()

    let inline arrInsert (src: 'T[]) (i: int) (x: 'T) =
        let dst = Array.zeroCreate (src.Length + 1)
        src.AsSpan(0, i).CopyTo(dst.AsSpan())
        dst[i] <- x
        src.AsSpan(i).CopyTo(dst.AsSpan(i + 1))
        dst

    let inline arrRemove (src: 'T[]) (i: int) =
        if src.Length = 1 then
            Array.Empty<'T>()
        else
            let dst = Array.zeroCreate (src.Length - 1)
            src.AsSpan(0, i).CopyTo(dst.AsSpan())
            src.AsSpan(i + 1).CopyTo(dst.AsSpan(i))
            dst

    let inline arrSet (src: 'T[]) (i: int) (x: 'T) =
        let dst = Array.zeroCreate src.Length
        src.AsSpan().CopyTo(dst.AsSpan())
        dst[i] <- x
        dst

    /// A private copy of an array (empty arrays cannot be mutated, so they are shared).
    let inline arrCopy (src: 'T[]) =
        if src.Length = 0 then src else src.AsSpan().ToArray()

    /// The node's entries, for sharing with a new node built by a persistent operation: copied when the
    /// node has an owner (its arrays may later be edited in place).
    let inline sharedEntries (node: Node<'K, 'V>) =
        if isNull node.Owner then
            node.Entries
        else
            arrCopy node.Entries

    /// The node's children, for sharing with a new node built by a persistent operation (see sharedEntries).
    let inline sharedChildren (node: Node<'K, 'V>) =
        if isNull node.Owner then
            node.Children
        else
            arrCopy node.Children

    /// An ordering for keys of a collision node (keeps their order canonical), when one is available:
    /// the comparer itself if it is an IComparer, else the default ordering of a comparable key type.
    let collisionOrder (cmp: IEqualityComparer<'K>) : IComparer<'K> voption =
        match box cmp with
        | :? IComparer<'K> as c -> ValueSome c
        | _ when
            typeof<IComparable<'K>>.IsAssignableFrom typeof<'K>
            || typeof<IComparable>.IsAssignableFrom typeof<'K>
            ->
            ValueSome Comparer<'K>.Default
        | _ -> ValueNone

    /// Index at which `key` goes into a collision node's entries (after all keys not greater than it).
    let collisionIndex (cmp: IEqualityComparer<'K>) (es: struct ('K * 'V)[]) (key: 'K) =
        match collisionOrder cmp with
        | ValueNone -> es.Length
        | ValueSome order ->
            let mutable i = 0

            while i < es.Length && (let struct (k, _) = es[i] in order.Compare(k, key) <= 0) do
                i <- i + 1

            i

    let tryFind (cmp: IEqualityComparer<'K>) (root: Node<'K, 'V>) (key: 'K) : 'V voption =
        let pos = position (cmp.GetHashCode key)
        let mutable node = root
        let mutable shift = 0
        let mutable result = ValueNone
        let mutable searching = true

        while searching do
            if shift > 30 then
                let es = node.Entries
                let mutable i = 0

                while i < es.Length do
                    let struct (k, v) = es[i]

                    if cmp.Equals(k, key) then
                        result <- ValueSome v
                        i <- es.Length
                    else
                        i <- i + 1

                searching <- false
            else
                let bit = slotBit pos shift

                if node.DataMap &&& bit <> 0u then
                    let struct (k, v) = node.Entries[index node.DataMap bit]

                    if cmp.Equals(k, key) then
                        result <- ValueSome v

                    searching <- false
                elif node.NodeMap &&& bit <> 0u then
                    node <- node.Children[index node.NodeMap bit]
                    shift <- shift + 5
                else
                    searching <- false

        result

    /// The smallest subtree holding two entries with distinct keys, at `shift`, its nodes stamped with `owner`.
    let rec merge
        (owner: obj)
        (cmp: IEqualityComparer<'K>)
        (e1: struct ('K * 'V))
        (p1: uint32)
        (e2: struct ('K * 'V))
        (p2: uint32)
        shift
        : Node<'K, 'V> =
        if shift > 30 then
            let es =
                if collisionIndex cmp [| e1 |] (let struct (k2, _) = e2 in k2) = 0 then
                    [| e2; e1 |]
                else
                    [| e1; e2 |]

            Node(owner, 0u, 0u, es, empty ())
        else
            let b1 = slotBit p1 shift
            let b2 = slotBit p2 shift

            if b1 = b2 then
                Node(owner, 0u, b1, empty (), [| merge owner cmp e1 p1 e2 p2 (shift + 5) |])
            else
                Node(owner, b1 ||| b2, 0u, (if b1 < b2 then [| e1; e2 |] else [| e2; e1 |]), empty ())

    /// Returns the new node and whether the key was new (false: its value was replaced).
    let rec add
        (cmp: IEqualityComparer<'K>)
        (node: Node<'K, 'V>)
        (key: 'K)
        (value: 'V)
        pos
        shift
        : struct (Node<'K, 'V> * bool) =
        if shift > 30 then
            let es = node.Entries
            let mutable found = -1
            let mutable i = 0

            while found < 0 && i < es.Length do
                let struct (k, _) = es[i]

                if cmp.Equals(k, key) then
                    found <- i

                i <- i + 1

            if found >= 0 then
                struct (Node(0u, 0u, arrSet es found (struct (key, value)), sharedChildren node), false)
            else
                struct (Node(
                            0u,
                            0u,
                            arrInsert es (collisionIndex cmp es key) (struct (key, value)),
                            sharedChildren node
                        ),
                        true)
        else
            let bit = slotBit pos shift

            if node.DataMap &&& bit <> 0u then
                let i = index node.DataMap bit
                let struct (k, _) as old = node.Entries[i]

                if cmp.Equals(k, key) then
                    struct (Node(
                                node.DataMap,
                                node.NodeMap,
                                arrSet node.Entries i (struct (key, value)),
                                sharedChildren node
                            ),
                            false)
                else
                    let sub =
                        merge null cmp old (position (cmp.GetHashCode k)) (struct (key, value)) pos (shift + 5)

                    let children = arrInsert node.Children (index node.NodeMap bit) sub
                    struct (Node(node.DataMap ^^^ bit, node.NodeMap ||| bit, arrRemove node.Entries i, children), true)
            elif node.NodeMap &&& bit <> 0u then
                let j = index node.NodeMap bit
                let struct (child, added) = add cmp node.Children[j] key value pos (shift + 5)
                struct (Node(node.DataMap, node.NodeMap, sharedEntries node, arrSet node.Children j child), added)
            else
                let entries = arrInsert node.Entries (index node.DataMap bit) (struct (key, value))
                struct (Node(node.DataMap ||| bit, node.NodeMap, entries, sharedChildren node), true)

    /// Returns the same node when the key is absent. A sub-node left with a single entry is inlined into
    /// its parent (canonical form).
    let rec remove (cmp: IEqualityComparer<'K>) (node: Node<'K, 'V>) (key: 'K) pos shift : Node<'K, 'V> =
        if shift > 30 then
            let es = node.Entries
            let mutable found = -1
            let mutable i = 0

            while found < 0 && i < es.Length do
                let struct (k, _) = es[i]

                if cmp.Equals(k, key) then
                    found <- i

                i <- i + 1

            if found < 0 then
                node
            else
                Node(0u, 0u, arrRemove es found, sharedChildren node)
        else
            let bit = slotBit pos shift

            if node.DataMap &&& bit <> 0u then
                let i = index node.DataMap bit
                let struct (k, _) = node.Entries[i]

                if cmp.Equals(k, key) then
                    Node(node.DataMap ^^^ bit, node.NodeMap, arrRemove node.Entries i, sharedChildren node)
                else
                    node
            elif node.NodeMap &&& bit <> 0u then
                let j = index node.NodeMap bit
                let child = node.Children[j]
                let child' = remove cmp child key pos (shift + 5)

                if obj.ReferenceEquals(child, child') then
                    node
                elif child'.NodeMap = 0u && child'.Entries.Length = 1 then
                    let entries = arrInsert node.Entries (index node.DataMap bit) child'.Entries[0]
                    Node(node.DataMap ||| bit, node.NodeMap ^^^ bit, entries, arrRemove node.Children j)
                else
                    Node(node.DataMap, node.NodeMap, sharedEntries node, arrSet node.Children j child')
            else
                node

    /// Index of `key` in a collision node's entries, or -1.
    let collisionFind (cmp: IEqualityComparer<'K>) (es: struct ('K * 'V)[]) (key: 'K) =
        let mutable found = -1
        let mutable i = 0

        while found < 0 && i < es.Length do
            let struct (k, _) = es[i]

            if cmp.Equals(k, key) then
                found <- i

            i <- i + 1

        found

    /// Owned add (`owner` non-null): the same result as `add`, but a node stamped with `owner` is edited in
    /// place (and returned) instead of copied; new nodes are stamped with `owner`. Returns the new node and
    /// whether the key was new.
    let rec addOwned
        (owner: obj)
        (cmp: IEqualityComparer<'K>)
        (node: Node<'K, 'V>)
        (key: 'K)
        (value: 'V)
        pos
        shift
        : struct (Node<'K, 'V> * bool) =
        let own = obj.ReferenceEquals(node.Owner, owner)

        if shift > 30 then
            let es = node.Entries
            let found = collisionFind cmp es key

            if found >= 0 then
                if own then
                    es[found] <- struct (key, value)
                    struct (node, false)
                else
                    struct (Node(owner, 0u, 0u, arrSet es found (struct (key, value)), arrCopy node.Children), false)
            else
                let es' = arrInsert es (collisionIndex cmp es key) (struct (key, value))

                if own then
                    node.Entries <- es'
                    struct (node, true)
                else
                    struct (Node(owner, 0u, 0u, es', arrCopy node.Children), true)
        else
            let bit = slotBit pos shift

            if node.DataMap &&& bit <> 0u then
                let i = index node.DataMap bit
                let struct (k, _) as old = node.Entries[i]

                if cmp.Equals(k, key) then
                    if own then
                        node.Entries[i] <- struct (key, value)
                        struct (node, false)
                    else
                        let entries = arrSet node.Entries i (struct (key, value))
                        struct (Node(owner, node.DataMap, node.NodeMap, entries, arrCopy node.Children), false)
                else
                    let sub =
                        merge owner cmp old (position (cmp.GetHashCode k)) (struct (key, value)) pos (shift + 5)

                    let children = arrInsert node.Children (index node.NodeMap bit) sub
                    let entries = arrRemove node.Entries i

                    if own then
                        node.DataMap <- node.DataMap ^^^ bit
                        node.NodeMap <- node.NodeMap ||| bit
                        node.Entries <- entries
                        node.Children <- children
                        struct (node, true)
                    else
                        struct (Node(owner, node.DataMap ^^^ bit, node.NodeMap ||| bit, entries, children), true)
            elif node.NodeMap &&& bit <> 0u then
                let j = index node.NodeMap bit
                let child = node.Children[j]
                let struct (child', added) = addOwned owner cmp child key value pos (shift + 5)

                if own then
                    if not (obj.ReferenceEquals(child, child')) then
                        node.Children[j] <- child'

                    struct (node, added)
                else
                    let children = arrSet node.Children j child'
                    struct (Node(owner, node.DataMap, node.NodeMap, arrCopy node.Entries, children), added)
            else
                let entries = arrInsert node.Entries (index node.DataMap bit) (struct (key, value))

                if own then
                    node.DataMap <- node.DataMap ||| bit
                    node.Entries <- entries
                    struct (node, true)
                else
                    struct (Node(owner, node.DataMap ||| bit, node.NodeMap, entries, arrCopy node.Children), true)

    /// Owned remove (`owner` non-null): the same result as `remove`, editing nodes stamped with `owner` in
    /// place (see addOwned). Returns the new node (the same one when the key is absent) and whether the key
    /// was removed (an edited-in-place node is returned as itself, so identity does not tell).
    let rec removeOwned
        (owner: obj)
        (cmp: IEqualityComparer<'K>)
        (node: Node<'K, 'V>)
        (key: 'K)
        pos
        shift
        : struct (Node<'K, 'V> * bool) =
        let own = obj.ReferenceEquals(node.Owner, owner)

        if shift > 30 then
            let found = collisionFind cmp node.Entries key

            if found < 0 then
                struct (node, false)
            else
                let es' = arrRemove node.Entries found

                if own then
                    node.Entries <- es'
                    struct (node, true)
                else
                    struct (Node(owner, 0u, 0u, es', arrCopy node.Children), true)
        else
            let bit = slotBit pos shift

            if node.DataMap &&& bit <> 0u then
                let i = index node.DataMap bit
                let struct (k, _) = node.Entries[i]

                if cmp.Equals(k, key) then
                    let entries = arrRemove node.Entries i

                    if own then
                        node.DataMap <- node.DataMap ^^^ bit
                        node.Entries <- entries
                        struct (node, true)
                    else
                        struct (Node(owner, node.DataMap ^^^ bit, node.NodeMap, entries, arrCopy node.Children), true)
                else
                    struct (node, false)
            elif node.NodeMap &&& bit <> 0u then
                let j = index node.NodeMap bit
                let child = node.Children[j]
                let struct (child', removed) = removeOwned owner cmp child key pos (shift + 5)

                if not removed then
                    struct (node, false)
                elif child'.NodeMap = 0u && child'.Entries.Length = 1 then
                    // Canonical form: inline the single remaining entry.
                    let entries = arrInsert node.Entries (index node.DataMap bit) child'.Entries[0]
                    let children = arrRemove node.Children j

                    if own then
                        node.DataMap <- node.DataMap ||| bit
                        node.NodeMap <- node.NodeMap ^^^ bit
                        node.Entries <- entries
                        node.Children <- children
                        struct (node, true)
                    else
                        struct (Node(owner, node.DataMap ||| bit, node.NodeMap ^^^ bit, entries, children), true)
                elif own then
                    if not (obj.ReferenceEquals(child, child')) then
                        node.Children[j] <- child'

                    struct (node, true)
                else
                    let children = arrSet node.Children j child'
                    struct (Node(owner, node.DataMap, node.NodeMap, arrCopy node.Entries, children), true)
            else
                struct (node, false)

    let rec fold (f: OptimizedClosures.FSharpFunc<'S, 'K, 'V, 'S>) (state: 'S) (node: Node<'K, 'V>) shift : 'S =
        let mutable acc = state

        if shift > 30 || node.NodeMap = 0u then
            for struct (k, v) in node.Entries do
                acc <- f.Invoke(acc, k, v)
        else
            let mutable bm = node.DataMap ||| node.NodeMap

            while bm <> 0u do
                let bit = bm &&& (0u - bm)
                bm <- bm ^^^ bit

                if node.DataMap &&& bit <> 0u then
                    let struct (k, v) = node.Entries[index node.DataMap bit]
                    acc <- f.Invoke(acc, k, v)
                else
                    acc <- fold f acc node.Children[index node.NodeMap bit] (shift + 5)

        acc

    /// Mutable state of one SCAN step.
    [<Sealed>]
    type ScanState<'K, 'V>(start: uint64, count: int) =
        member val Acc = ResizeArray<struct ('K * 'V)>() with get
        member _.Start = start
        member _.Count = count
        /// Exclusive end (a position) of the last range visited.
        member val LastEnd = 0UL with get, set
        /// Whether entries remain after LastEnd.
        member val More = false with get, set

    /// Visits the node's ranges ending after st.Start in order; true when it stopped with enough entries.
    let rec scanNode (cmp: IEqualityComparer<'K>) (node: Node<'K, 'V>) shift (prefix: uint64) (st: ScanState<'K, 'V>) =
        if shift > 30 then
            st.Acc.AddRange node.Entries
            st.LastEnd <- prefix + 1UL
            st.Acc.Count >= st.Count
        else
            let size = if shift < 30 then 1UL <<< (27 - shift) else 1UL
            let mutable bm = node.DataMap ||| node.NodeMap

            if prefix < st.Start then // the start lies inside this node: skip the slots before it
                bm <- bm &&& ~~~((slotBit (uint32 st.Start) shift) - 1u)

            let mutable stopped = false

            while not stopped && bm <> 0u do
                let x = BitOperations.TrailingZeroCount bm
                let bit = 1u <<< x
                bm <- bm ^^^ bit

                let lo =
                    if shift < 30 then
                        prefix ||| (uint64 x <<< (27 - shift))
                    else
                        prefix ||| uint64 (x >>> 3)

                if node.DataMap &&& bit <> 0u then
                    let struct (k, _) as e = node.Entries[index node.DataMap bit]

                    if lo >= st.Start || uint64 (position (cmp.GetHashCode k)) >= st.Start then
                        st.Acc.Add e

                    if st.Acc.Count >= st.Count then
                        stopped <- true
                        st.LastEnd <- lo + size
                else
                    stopped <- scanNode cmp node.Children[index node.NodeMap bit] (shift + 5) lo st

            if stopped && bm <> 0u then
                st.More <- true

            stopped

    /// Builds the canonical subtree of entries [lo, hi) sorted by position (collision groups pre-ordered).
    let rec build (es: struct ('K * 'V)[]) (ps: uint32[]) lo hi shift : Node<'K, 'V> =
        if shift > 30 then
            Node(0u, 0u, es[lo .. hi - 1], empty ())
        else
            let mutable dataMap = 0u
            let mutable nodeMap = 0u
            let mutable i = lo

            while i < hi do
                let bit = slotBit ps[i] shift
                let mutable j = i + 1

                while j < hi && slotBit ps[j] shift = bit do
                    j <- j + 1

                if j - i = 1 then
                    dataMap <- dataMap ||| bit
                else
                    nodeMap <- nodeMap ||| bit

                i <- j

            let entries = Array.zeroCreate (BitOperations.PopCount dataMap)
            let children = Array.zeroCreate (BitOperations.PopCount nodeMap)
            let mutable ei = 0
            let mutable ci = 0
            i <- lo

            while i < hi do
                let bit = slotBit ps[i] shift
                let mutable j = i + 1

                while j < hi && slotBit ps[j] shift = bit do
                    j <- j + 1

                if j - i = 1 then
                    entries[ei] <- es[i]
                    ei <- ei + 1
                else
                    children[ci] <- build es ps i j (shift + 5)
                    ci <- ci + 1

                i <- j

            Node(dataMap, nodeMap, (if ei = 0 then empty () else entries), (if ci = 0 then empty () else children))

    let inline mix64 (x: uint64) =
        let x = (x ^^^ (x >>> 30)) * 0xbf58476d1ce4e5b9UL
        let x = (x ^^^ (x >>> 27)) * 0x94d049bb133111ebUL
        x ^^^ (x >>> 31)

/// Depth-first enumerator in position order (an explicit stack of at most 8 levels).
[<Sealed>]
type internal ChampEnumerator<'K, 'V>(root: Node<'K, 'V>) =
    let nodes = Array.zeroCreate<Node<'K, 'V>> 8
    // Per level: the slots still to visit (for a collision node: the next entry index).
    let pending = Array.zeroCreate<uint32> 8
    let mutable depth = -1
    let mutable started = false
    let mutable current = Unchecked.defaultof<struct ('K * 'V)>

    member private _.Push(node: Node<'K, 'V>) =
        depth <- depth + 1
        nodes[depth] <- node
        pending[depth] <- if depth = 7 then 0u else node.DataMap ||| node.NodeMap

    interface IEnumerator<struct ('K * 'V)> with
        member _.Current = current
        member _.Current = box current
        member _.Reset() = raise (NotSupportedException())
        member _.Dispose() = ()

        member this.MoveNext() =
            if not started then
                started <- true
                this.Push root

            let mutable result = false
            let mutable searching = depth >= 0

            while searching do
                let node = nodes[depth]

                if depth = 7 then
                    let i = int pending[7]

                    if i < node.Entries.Length then
                        current <- node.Entries[i]
                        pending[7] <- uint32 (i + 1)
                        result <- true
                        searching <- false
                    else
                        depth <- depth - 1
                else
                    let bm = pending[depth]

                    if bm = 0u then
                        depth <- depth - 1
                    else
                        let bit = bm &&& (0u - bm)
                        pending[depth] <- bm ^^^ bit

                        if node.DataMap &&& bit <> 0u then
                            current <- node.Entries[Champ.index node.DataMap bit]
                            result <- true
                            searching <- false
                        else
                            this.Push node.Children[Champ.index node.NodeMap bit]

                if depth < 0 then
                    searching <- false

            result

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
            let struct (root', added) =
                Champ.addOwned owner comparer root key value (Champ.position (comparer.GetHashCode key)) 0

            if added then HashMap(comparer, root', count + 1)
            elif obj.ReferenceEquals(root, root') then this
            else HashMap(comparer, root', count)

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

    /// Builds a map in bulk (later duplicates win, as with repeated add): sorts by position and builds the
    /// canonical trie bottom-up, without path copying. O(n log n).
    let ofSeq (comparer: IEqualityComparer<'K>) (entries: seq<'K * 'V>) : HashMap<'K, 'V> =
        let items = Seq.toArray entries
        // Sort keys: position in the high half, input index in the low half (stable: first occurrence first).
        let order = Array.zeroCreate<uint64> items.Length

        for i in 0 .. items.Length - 1 do
            order[i] <-
                (uint64 (Champ.position (comparer.GetHashCode(fst items[i]))) <<< 32)
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
                let (k, v) = items[int (uint32 order[i])]
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
