/// CHAMP trie algorithms behind HashMap (Steindorfer & Vinju, OOPSLA 2015): nodes, persistent and owned
/// (in-place, owner-token) insert and remove, lookup, SCAN steps, bulk build and enumeration. Internal: the
/// public surface is HashMap.fs, as FSharp.Core keeps MapTree behind Map.
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

    /// Where key's entry is: its index in the array handed back in `entries`; -1 when absent. With
    /// `owned`, only along nodes stamped with owner: -2 when a node on the way is not.
    let inline private findSlot
        (owned: bool)
        (owner: obj)
        (cmp: IEqualityComparer<'K>)
        (root: Node<'K, 'V>)
        (key: 'K)
        (entries: byref<struct ('K * 'V)[]>)
        =
        let pos = position (cmp.GetHashCode key)
        let mutable node = root
        let mutable shift = 0
        let mutable result = if owned then -2 else -1
        let mutable searching = true

        while searching
              && (not owned || (not (isNull owner) && obj.ReferenceEquals(node.Owner, owner))) do
            if shift > 30 then
                let es = node.Entries
                let mutable i = 0
                result <- -1

                while i < es.Length do
                    let struct (k, _) = es[i]

                    if cmp.Equals(k, key) then
                        entries <- es
                        result <- i
                        i <- es.Length
                    else
                        i <- i + 1

                searching <- false
            else
                let bit = slotBit pos shift

                if node.DataMap &&& bit <> 0u then
                    let i = index node.DataMap bit
                    let struct (k, _) = node.Entries[i]

                    if cmp.Equals(k, key) then
                        entries <- node.Entries
                        result <- i
                    else
                        result <- -1

                    searching <- false
                elif node.NodeMap &&& bit <> 0u then
                    node <- node.Children[index node.NodeMap bit]
                    shift <- shift + 5
                else
                    result <- -1
                    searching <- false

        result

    /// Where key's entry is: its index in the array handed back in `entries`, or -1 when absent. The
    /// slot belongs to whatever node holds it, owned or not (see HashMap.TryFindSlot).
    let tryFindSlot (cmp: IEqualityComparer<'K>) (root: Node<'K, 'V>) (key: 'K) (entries: byref<struct ('K * 'V)[]>) =
        findSlot false null cmp root key &entries

    /// tryFindSlot along owned nodes only: the slot's index (the array in `entries`, which owner may
    /// edit in place), -1 when the key is absent, -2 when a node on the way is not owned.
    let tryFindOwnedSlot
        (owner: obj)
        (cmp: IEqualityComparer<'K>)
        (root: Node<'K, 'V>)
        (key: 'K)
        (entries: byref<struct ('K * 'V)[]>)
        =
        findSlot true owner cmp root key &entries

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

    /// The common owned write, replacing the value of a key that is there: walks down without recursion
    /// and, when every node on the path is stamped with `owner`, stores the entry in place and returns
    /// true. False (nothing changed) when the key is absent or a node on the path is not owned: then
    /// addOwned does the general case.
    let tryReplaceOwned (owner: obj) (cmp: IEqualityComparer<'K>) (root: Node<'K, 'V>) (key: 'K) (value: 'V) pos =
        let mutable node = root
        let mutable shift = 0
        let mutable result = false
        let mutable searching = true

        while searching && obj.ReferenceEquals(node.Owner, owner) do
            if shift > 30 then
                let found = collisionFind cmp node.Entries key

                if found >= 0 then
                    node.Entries[found] <- struct (key, value)
                    result <- true

                searching <- false
            else
                let bit = slotBit pos shift

                if node.DataMap &&& bit <> 0u then
                    let i = index node.DataMap bit
                    let struct (k, _) = node.Entries[i]

                    if cmp.Equals(k, key) then
                        node.Entries[i] <- struct (key, value)
                        result <- true

                    searching <- false
                elif node.NodeMap &&& bit <> 0u then
                    node <- node.Children[index node.NodeMap bit]
                    shift <- shift + 5
                else
                    searching <- false

        result

    /// tryReplaceOwned that hands back what the entry held: 1 when the key was there on an owned path (its
    /// entry now holds value, and the stored key object when keepKey, else `key`; `storedKey` is the key
    /// object it held, `old` the previous value), 0 when the key is absent (nothing changed), -1 when a
    /// node on the path is not owned before that is known (nothing changed).
    let tryExchangeOwned
        (owner: obj)
        (cmp: IEqualityComparer<'K>)
        (root: Node<'K, 'V>)
        (key: 'K)
        (value: 'V)
        pos
        (keepKey: bool)
        (storedKey: byref<'K>)
        (old: byref<'V>)
        =
        let mutable node = root
        let mutable shift = 0
        let mutable result = -1
        let mutable searching = true

        while searching && obj.ReferenceEquals(node.Owner, owner) do
            if shift > 30 then
                let found = collisionFind cmp node.Entries key

                if found >= 0 then
                    let struct (k, v) = node.Entries[found]
                    storedKey <- k
                    old <- v
                    node.Entries[found] <- struct ((if keepKey then k else key), value)
                    result <- 1
                else
                    result <- 0

                searching <- false
            else
                let bit = slotBit pos shift

                if node.DataMap &&& bit <> 0u then
                    let i = index node.DataMap bit
                    let struct (k, v) = node.Entries[i]

                    if cmp.Equals(k, key) then
                        storedKey <- k
                        old <- v
                        node.Entries[i] <- struct ((if keepKey then k else key), value)
                        result <- 1
                    else
                        result <- 0

                    searching <- false
                elif node.NodeMap &&& bit <> 0u then
                    node <- node.Children[index node.NodeMap bit]
                    shift <- shift + 5
                else
                    result <- 0
                    searching <- false

        result

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

    /// The same trie with every value mapped (same keys, same shape: no hashing, no sorting). O(n).
    let rec mapValues (f: 'K -> 'V -> 'W) (node: Node<'K, 'V>) : Node<'K, 'W> =
        let entries =
            if node.Entries.Length = 0 then
                empty ()
            else
                node.Entries |> Array.map (fun (struct (k, v)) -> struct (k, f k v))

        let children =
            if node.Children.Length = 0 then
                empty ()
            else
                node.Children |> Array.map (mapValues f)

        Node(node.DataMap, node.NodeMap, entries, children)

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
