/// Persistent weight-balanced tree with subtree sizes (Adams 1993; parameters delta = 3, gamma = 2 as
/// proved correct by Hirai & Yamamoto, "Balancing weight-balanced trees", JFP 2011; weight = size + 1).
/// Every operation returns a new tree sharing all but the copied path with the old one. Sizes make
/// positions first-class: lists use it with implicit positions (LINDEX, LINSERT, LTRIM); elements
/// kept in an IComparer's order get ranks and bounds (sorted sets use ScoreTree, a B+tree). Height is O(log n)
/// (at most about 2.5 log2 n), so the recursive algorithms never run deep.
namespace CoolCache.Core.Collections

open System
open System.Collections
open System.Collections.Generic

/// A tree node; null is the empty tree. Owner is null for nodes built by persistent operations, else
/// the owner token of the owned edit that created the node; only owned edits with that same token
/// change a node's fields in place (see Tree.pushBackOwned).
[<Sealed; AllowNullLiteral>]
type internal TreeNode<'T> =
    val Owner: obj
    val mutable Left: TreeNode<'T>
    val mutable Value: 'T
    val mutable Right: TreeNode<'T>
    val mutable Size: int

    new(owner, left, value, right, size) =
        {
            Owner = owner
            Left = left
            Value = value
            Right = right
            Size = size
        }

/// The algorithms over nodes (null = empty). Every rebuilding step goes through `make`, which edits
/// the node being rebuilt in place when the owner token owns it and allocates otherwise; a null owner
/// makes every algorithm persistent. Balance after a change of one element on one side needs one
/// check of that side (balanceL / balanceR); link and merge join trees of any sizes (persistent only).
module internal Wbt =
    [<Literal>]
    let Delta = 3L

    [<Literal>]
    let Gamma = 2

    let inline size (t: TreeNode<'T>) = if isNull t then 0 else t.Size

    let inline leaf (owner: obj) (x: 'T) = TreeNode<'T>(owner, null, x, null, 1)

    /// The node l x r: `reuse` edited in place when owner (not null) owns it, else a new node
    /// stamped with owner. Callers read every field of `reuse` they need before calling.
    let inline make (owner: obj) (reuse: TreeNode<'T>) (l: TreeNode<'T>) (x: 'T) (r: TreeNode<'T>) =
        let n = size l + size r + 1

        if
            not (isNull owner)
            && not (isNull reuse)
            && obj.ReferenceEquals(reuse.Owner, owner)
        then
            // Write only what changed: most steps keep both children and the value (a push down a
            // spine only changes sizes), and every reference store costs a GC write barrier.
            if not (obj.ReferenceEquals(reuse.Left, l)) then
                reuse.Left <- l

            if not (obj.ReferenceEquals(reuse.Right, r)) then
                reuse.Right <- r

            if typeof<'T>.IsValueType || not (obj.ReferenceEquals(box reuse.Value, box x)) then
                reuse.Value <- x

            reuse.Size <- n
            reuse
        else
            TreeNode<'T>(owner, l, x, r, n)

    let inline node (l: TreeNode<'T>) (x: 'T) (r: TreeNode<'T>) = make null null l x r

    /// A side of size a may stand next to a side of size b: delta * weight a >= weight b.
    let inline balanced (a: int) (b: int) = Delta * int64 (a + 1) >= int64 (b + 1)

    /// l x r (rebuilding `reuse`) where r is too heavy: one single or double left rotation.
    let rotateL (owner: obj) (reuse: TreeNode<'T>) (l: TreeNode<'T>) (x: 'T) (r: TreeNode<'T>) =
        let rl = r.Left
        let rr = r.Right
        let rv = r.Value

        if size rl + 1 < Gamma * (size rr + 1) then
            let inner = make owner reuse l x rl
            make owner r inner rv rr
        else
            let rll = rl.Left
            let rlr = rl.Right
            let rlv = rl.Value
            let a = make owner reuse l x rll
            let c = make owner r rlr rv rr
            make owner rl a rlv c

    /// l x r (rebuilding `reuse`) where l is too heavy: one single or double right rotation.
    let rotateR (owner: obj) (reuse: TreeNode<'T>) (l: TreeNode<'T>) (x: 'T) (r: TreeNode<'T>) =
        let ll = l.Left
        let lr = l.Right
        let lv = l.Value

        if size lr + 1 < Gamma * (size ll + 1) then
            let inner = make owner reuse lr x r
            make owner l ll lv inner
        else
            let lrl = lr.Left
            let lrr = lr.Right
            let lrv = lr.Value
            let a = make owner l ll lv lrl
            let c = make owner reuse lrr x r
            make owner lr a lrv c

    /// l x r where l may have grown (or r shrunk) by one, or l came from a link into a heavier side.
    let balanceL (owner: obj) (reuse: TreeNode<'T>) (l: TreeNode<'T>) (x: 'T) (r: TreeNode<'T>) =
        if balanced (size r) (size l) then
            make owner reuse l x r
        else
            rotateR owner reuse l x r

    /// l x r where r may have grown (or l shrunk) by one, or r came from a link into a heavier side.
    let balanceR (owner: obj) (reuse: TreeNode<'T>) (l: TreeNode<'T>) (x: 'T) (r: TreeNode<'T>) =
        if balanced (size l) (size r) then
            make owner reuse l x r
        else
            rotateL owner reuse l x r

    /// t with its left child now l and its value kept (a step back up an ordered insert or remove): when
    /// t is owned and stays balanced, only the child link and the size are written (no store of the
    /// value, which for a struct holding references would cost a GC write barrier per level).
    let inline withLeft (owner: obj) (t: TreeNode<'T>) (l: TreeNode<'T>) (grew: bool) =
        let r = t.Right

        if
            not (isNull owner)
            && obj.ReferenceEquals(t.Owner, owner)
            && (if grew then
                    balanced (size r) (size l)
                else
                    balanced (size l) (size r))
        then
            if not (obj.ReferenceEquals(t.Left, l)) then
                t.Left <- l

            t.Size <- size l + size r + 1
            t
        elif grew then
            balanceL owner t l t.Value r
        else
            balanceR owner t l t.Value r

    /// t with its right child now r and its value kept (see withLeft).
    let inline withRight (owner: obj) (t: TreeNode<'T>) (r: TreeNode<'T>) (grew: bool) =
        let l = t.Left

        if
            not (isNull owner)
            && obj.ReferenceEquals(t.Owner, owner)
            && (if grew then
                    balanced (size l) (size r)
                else
                    balanced (size r) (size l))
        then
            if not (obj.ReferenceEquals(t.Right, r)) then
                t.Right <- r

            t.Size <- size l + size r + 1
            t
        elif grew then
            balanceR owner t l t.Value r
        else
            balanceL owner t l t.Value r

    let rec insertMin (owner: obj) (x: 'T) (t: TreeNode<'T>) =
        if isNull t then
            leaf owner x
        else
            balanceL owner t (insertMin owner x t.Left) t.Value t.Right

    let rec insertMax (owner: obj) (x: 'T) (t: TreeNode<'T>) =
        if isNull t then
            leaf owner x
        else
            balanceR owner t t.Left t.Value (insertMax owner x t.Right)

    let rec insertAt (owner: obj) (i: int) (x: 'T) (t: TreeNode<'T>) =
        if isNull t then
            leaf owner x
        else
            let sl = size t.Left

            if i <= sl then
                balanceL owner t (insertAt owner i x t.Left) t.Value t.Right
            else
                balanceR owner t t.Left t.Value (insertAt owner (i - sl - 1) x t.Right)

    let rec minValue (t: TreeNode<'T>) =
        if isNull t.Left then t.Value else minValue t.Left

    let rec maxValue (t: TreeNode<'T>) =
        if isNull t.Right then t.Value else maxValue t.Right

    /// t without its first element (t not empty).
    let rec removeMin (owner: obj) (t: TreeNode<'T>) =
        if isNull t.Left then
            t.Right
        else
            balanceR owner t (removeMin owner t.Left) t.Value t.Right

    /// t without its last element (t not empty).
    let rec removeMax (owner: obj) (t: TreeNode<'T>) =
        if isNull t.Right then
            t.Left
        else
            balanceL owner t t.Left t.Value (removeMax owner t.Right)

    /// l ++ r for two trees balanced with each other (the children of the removed node `reuse`).
    /// Taking the boundary element from the larger side keeps the result balanced without rotation.
    let glue (owner: obj) (reuse: TreeNode<'T>) (l: TreeNode<'T>) (r: TreeNode<'T>) =
        if isNull l then
            r
        elif isNull r then
            l
        elif l.Size > r.Size then
            let m = maxValue l
            make owner reuse (removeMax owner l) m r
        else
            let m = minValue r
            make owner reuse l m (removeMin owner r)

    let rec removeAt (owner: obj) (i: int) (t: TreeNode<'T>) =
        let sl = size t.Left

        if i < sl then
            balanceR owner t (removeAt owner i t.Left) t.Value t.Right
        elif i > sl then
            balanceL owner t t.Left t.Value (removeAt owner (i - sl - 1) t.Right)
        else
            glue owner t t.Left t.Right

    let rec setAt (owner: obj) (i: int) (x: 'T) (t: TreeNode<'T>) =
        let sl = size t.Left

        if i < sl then
            make owner t (setAt owner i x t.Left) t.Value t.Right
        elif i > sl then
            make owner t t.Left t.Value (setAt owner (i - sl - 1) x t.Right)
        else
            make owner t t.Left x t.Right

    /// l ++ [x] ++ r for trees of any sizes (persistent). O(|height l - height r| + 1).
    let rec link (l: TreeNode<'T>) (x: 'T) (r: TreeNode<'T>) =
        if isNull l then
            insertMin null x r
        elif isNull r then
            insertMax null x l
        elif not (balanced l.Size r.Size) then
            balanceL null null (link l x r.Left) r.Value r.Right
        elif not (balanced r.Size l.Size) then
            balanceR null null l.Left l.Value (link l.Right x r)
        else
            node l x r

    /// l ++ r for trees of any sizes (persistent). O(|height l - height r| + log n).
    let rec merge (l: TreeNode<'T>) (r: TreeNode<'T>) =
        if isNull l then
            r
        elif isNull r then
            l
        elif not (balanced l.Size r.Size) then
            balanceL null null (merge l r.Left) r.Value r.Right
        elif not (balanced r.Size l.Size) then
            balanceR null null l.Left l.Value (merge l.Right r)
        else
            glue null null l r

    /// The first n elements (0 <= n; persistent). O(log n).
    let rec take (n: int) (t: TreeNode<'T>) =
        if n <= 0 then
            null
        elif n >= size t then
            t
        else
            let sl = size t.Left

            if n <= sl then
                take n t.Left
            else
                link t.Left t.Value (take (n - sl - 1) t.Right)

    /// Without the first n elements (0 <= n; persistent). O(log n).
    let rec drop (n: int) (t: TreeNode<'T>) =
        if n <= 0 then
            t
        elif n >= size t then
            null
        else
            let sl = size t.Left

            if n <= sl then
                link (drop n t.Left) t.Value t.Right
            else
                drop (n - sl - 1) t.Right

    let rec ofArray (a: 'T[]) (lo: int) (hi: int) : TreeNode<'T> =
        if lo >= hi then
            null
        else
            let mid = lo + (hi - lo) / 2
            TreeNode<'T>(null, ofArray a lo mid, a[mid], ofArray a (mid + 1) hi, hi - lo)

    /// Copies the elements of t at positions [lo, hi) (relative to t) to dest from di; returns the next di.
    let rec copy (t: TreeNode<'T>) (lo: int) (hi: int) (dest: 'T[]) (di: int) =
        if isNull t || hi <= 0 || lo >= t.Size then
            di
        else
            let sl = size t.Left
            let mutable di = if lo < sl then copy t.Left lo hi dest di else di

            if lo <= sl && sl < hi then
                dest[di] <- t.Value
                di <- di + 1

            if hi > sl + 1 then
                copy t.Right (lo - sl - 1) (hi - sl - 1) dest di
            else
                di

    /// Calls f on the elements of t at positions [lo, hi), first to last.
    let rec iter (t: TreeNode<'T>) (lo: int) (hi: int) (f: 'T -> unit) =
        if not (isNull t || hi <= 0 || lo >= t.Size) then
            let sl = size t.Left

            if lo < sl then
                iter t.Left lo hi f

            if lo <= sl && sl < hi then
                f t.Value

            if hi > sl + 1 then
                iter t.Right (lo - sl - 1) (hi - sl - 1) f

    /// Calls f on the elements of t at positions [lo, hi), last to first.
    let rec iterBack (t: TreeNode<'T>) (lo: int) (hi: int) (f: 'T -> unit) =
        if not (isNull t || hi <= 0 || lo >= t.Size) then
            let sl = size t.Left

            if hi > sl + 1 then
                iterBack t.Right (lo - sl - 1) (hi - sl - 1) f

            if lo <= sl && sl < hi then
                f t.Value

            if lo < sl then
                iterBack t.Left lo hi f

    let rec insertSorted (owner: obj) (cmp: IComparer<'T>) (x: 'T) (t: TreeNode<'T>) =
        if isNull t then
            leaf owner x
        else
            let c = cmp.Compare(x, t.Value)

            if c < 0 then
                withLeft owner t (insertSorted owner cmp x t.Left) true
            elif c > 0 then
                withRight owner t (insertSorted owner cmp x t.Right) true
            else
                make owner t t.Left x t.Right

    /// t without the element equal to x, and whether there was one (when not, t is returned and
    /// nothing was changed). Owned edits may change nodes in place, so identity cannot tell.
    let rec removeSorted (owner: obj) (cmp: IComparer<'T>) (x: 'T) (t: TreeNode<'T>) : struct (TreeNode<'T> * bool) =
        if isNull t then
            struct (t, false)
        else
            let c = cmp.Compare(x, t.Value)

            if c < 0 then
                match removeSorted owner cmp x t.Left with
                | struct (_, false) -> struct (t, false)
                | struct (l, true) -> struct (withLeft owner t l false, true)
            elif c > 0 then
                match removeSorted owner cmp x t.Right with
                | struct (_, false) -> struct (t, false)
                | struct (r, true) -> struct (withRight owner t r false, true)
            else
                struct (glue owner t t.Left t.Right, true)

    /// The height (0 for empty); for tests and diagnostics. O(n).
    let rec height (t: TreeNode<'T>) =
        if isNull t then
            0
        else
            1 + max (height t.Left) (height t.Right)

    /// Whether every node has the right size and is weight-balanced. O(n).
    let rec valid (t: TreeNode<'T>) =
        isNull t
        || (t.Size = size t.Left + size t.Right + 1
            && balanced (size t.Left) (size t.Right)
            && balanced (size t.Right) (size t.Left)
            && valid t.Left
            && valid t.Right)

/// In-order enumeration with an explicit stack (no recursion, O(height) memory).
[<Sealed>]
type internal TreeEnumerator<'T>(root: TreeNode<'T>) =
    let stack = Stack<TreeNode<'T>>()
    let mutable current = Unchecked.defaultof<'T>

    let pushLeft (n: TreeNode<'T>) =
        let mutable n = n

        while not (isNull n) do
            stack.Push n
            n <- n.Left

    do pushLeft root

    interface IEnumerator<'T> with
        member _.Current = current

    interface IEnumerator with
        member _.Current = box current

        member _.MoveNext() =
            if stack.Count = 0 then
                false
            else
                let n = stack.Pop()
                current <- n.Value
                pushLeft n.Right
                true

        member _.Reset() =
            stack.Clear()
            pushLeft root

    interface IDisposable with
        member _.Dispose() = ()

/// An immutable sequence of elements with O(log n) access, update, insertion and removal at any
/// position, O(log n) split/slice/concat, and (when the caller keeps the elements sorted by one
/// IComparer) O(log n) ordered insert, remove, rank and bound searches. Enumerates first to last.
[<Sealed>]
type Tree<'T> internal (root: TreeNode<'T>) =
    static let empty = Tree<'T>(null)
    static member internal Empty = empty
    member internal _.Root = root
    /// Number of elements. O(1).
    member _.Count = Wbt.size root
    /// O(1).
    member _.IsEmpty = isNull root

    interface IEnumerable<'T> with
        member _.GetEnumerator() =
            new TreeEnumerator<'T>(root) :> IEnumerator<'T>

    interface IEnumerable with
        member _.GetEnumerator() =
            new TreeEnumerator<'T>(root) :> IEnumerator

module Tree =
    let private outOfRange (name: string) : 'a =
        raise (ArgumentOutOfRangeException(name))

    let inline private wrap (old: Tree<'T>) (root: TreeNode<'T>) =
        if obj.ReferenceEquals(root, old.Root) then old
        elif isNull root then Tree<'T>.Empty
        else Tree<'T>(root)

    let inline private checkRange (t: Tree<'T>) (start: int) (count: int) =
        if start < 0 || count < 0 || start > t.Count - count then
            outOfRange "start"

    /// The empty tree (one shared instance per element type). O(1).
    [<GeneralizableValue>]
    let empty<'T> : Tree<'T> = Tree<'T>.Empty

    /// Number of elements. O(1).
    let inline count (t: Tree<'T>) = t.Count

    /// O(1).
    let inline isEmpty (t: Tree<'T>) = t.IsEmpty

    /// The element at position i (0-based; ArgumentOutOfRangeException outside [0, count)). O(log n),
    /// no allocation.
    let item (i: int) (t: Tree<'T>) : 'T =
        if i < 0 || i >= t.Count then
            outOfRange "i"

        let mutable n = t.Root
        let mutable i = i
        let mutable sl = Wbt.size n.Left

        while i <> sl do
            if i < sl then
                n <- n.Left
            else
                i <- i - sl - 1
                n <- n.Right

            sl <- Wbt.size n.Left

        n.Value

    /// The element at position i replaced by x. O(log n).
    let setAt (i: int) (x: 'T) (t: Tree<'T>) =
        if i < 0 || i >= t.Count then
            outOfRange "i"

        Tree<'T>(Wbt.setAt null i x t.Root)

    /// x inserted before position i (i = count appends). O(log n).
    let insertAt (i: int) (x: 'T) (t: Tree<'T>) =
        if i < 0 || i > t.Count then
            outOfRange "i"

        Tree<'T>(Wbt.insertAt null i x t.Root)

    let private removeAtWith (owner: obj) (i: int) (t: Tree<'T>) =
        if i < 0 || i >= t.Count then
            outOfRange "i"

        let root =
            if i = 0 then Wbt.removeMin owner t.Root
            elif i = t.Count - 1 then Wbt.removeMax owner t.Root
            else Wbt.removeAt owner i t.Root

        wrap t root

    /// The element at position i removed. O(log n).
    let removeAt (i: int) (t: Tree<'T>) = removeAtWith null i t

    /// x before the first element. O(log n).
    let pushFront (x: 'T) (t: Tree<'T>) = Tree<'T>(Wbt.insertMin null x t.Root)

    /// x after the last element. O(log n).
    let pushBack (x: 'T) (t: Tree<'T>) = Tree<'T>(Wbt.insertMax null x t.Root)

    /// The count elements from position start, sharing structure with t (t itself for the whole range).
    /// O(log n).
    let slice (start: int) (count: int) (t: Tree<'T>) =
        checkRange t start count
        wrap t (Wbt.take count (Wbt.drop start t.Root))

    /// The first i elements and the rest. O(log n).
    let split (i: int) (t: Tree<'T>) : struct (Tree<'T> * Tree<'T>) =
        if i < 0 || i > t.Count then
            outOfRange "i"

        struct (wrap t (Wbt.take i t.Root), wrap t (Wbt.drop i t.Root))

    /// The elements of a followed by those of b. O(log(n + m)).
    let concat (a: Tree<'T>) (b: Tree<'T>) =
        if b.IsEmpty then a
        elif a.IsEmpty then b
        else Tree<'T>(Wbt.merge a.Root b.Root)

    /// t without the count elements from position start (t itself when count = 0). O(log n).
    let removeRange (start: int) (count: int) (t: Tree<'T>) =
        checkRange t start count

        if count = 0 then
            t
        else
            wrap t (Wbt.merge (Wbt.take start t.Root) (Wbt.drop (start + count) t.Root))

    /// A perfectly balanced tree of the array's elements, in order. O(n).
    let ofArray (a: 'T[]) =
        if a.Length = 0 then
            Tree<'T>.Empty
        else
            Tree<'T>(Wbt.ofArray a 0 a.Length)

    /// Copies the count elements from position start into dest at destIndex. O(log n + count).
    let copyRange (start: int) (count: int) (dest: 'T[]) (destIndex: int) (t: Tree<'T>) =
        checkRange t start count

        if destIndex < 0 || destIndex > dest.Length - count then
            outOfRange "destIndex"

        Wbt.copy t.Root start (start + count) dest destIndex |> ignore

    /// The elements in order, as a new array. O(n).
    let toArray (t: Tree<'T>) =
        let a = Array.zeroCreate t.Count
        Wbt.copy t.Root 0 t.Count a 0 |> ignore
        a

    /// Calls f on the count elements from position start, first to last. O(log n + count), no allocation.
    let iterRange (start: int) (count: int) (f: 'T -> unit) (t: Tree<'T>) =
        checkRange t start count
        Wbt.iter t.Root start (start + count) f

    /// Calls f on the count elements from position start, last to first (f first sees the element at
    /// start + count - 1). O(log n + count), no allocation.
    let iterRangeBack (start: int) (count: int) (f: 'T -> unit) (t: Tree<'T>) =
        checkRange t start count
        Wbt.iterBack t.Root start (start + count) f

    /// The elements first to last (lazy; holds an O(log n) stack).
    let toSeq (t: Tree<'T>) : seq<'T> = t :> seq<'T>

    // ---- Ordered use: the caller keeps the elements sorted by cmp, unique under cmp ----

    /// x inserted at its place in cmp's order; an element equal to x under cmp is replaced by x.
    /// O(log n).
    let insertSorted (cmp: IComparer<'T>) (x: 'T) (t: Tree<'T>) =
        Tree<'T>(Wbt.insertSorted null cmp x t.Root)

    let private removeSortedWith (owner: obj) (cmp: IComparer<'T>) (x: 'T) (t: Tree<'T>) =
        match Wbt.removeSorted owner cmp x t.Root with
        | struct (root, true) -> wrap t root
        | struct (_, false) -> t

    /// The element equal to x under cmp removed; t itself (the same instance) when there is none.
    /// O(log n).
    let removeSorted (cmp: IComparer<'T>) (x: 'T) (t: Tree<'T>) = removeSortedWith null cmp x t

    /// The position of the element equal to x under cmp, or -1. O(log n), no allocation.
    let rank (cmp: IComparer<'T>) (x: 'T) (t: Tree<'T>) =
        let mutable n = t.Root
        let mutable acc = 0
        let mutable result = -1

        while not (isNull n) do
            let c = cmp.Compare(x, n.Value)

            if c < 0 then
                n <- n.Left
            elif c > 0 then
                acc <- acc + Wbt.size n.Left + 1
                n <- n.Right
            else
                result <- acc + Wbt.size n.Left
                n <- null

        result

    /// The element equal to x under cmp (the stored one), if any. O(log n), no allocation.
    let tryFind (cmp: IComparer<'T>) (x: 'T) (t: Tree<'T>) : 'T voption =
        let mutable n = t.Root
        let mutable result = ValueNone

        while not (isNull n) do
            let c = cmp.Compare(x, n.Value)

            if c < 0 then
                n <- n.Left
            elif c > 0 then
                n <- n.Right
            else
                result <- ValueSome n.Value
                n <- null

        result

    /// The position of the first element for which pred holds, count when none does. pred must be
    /// monotone over the order (false ... false true ... true), e.g. "score >= min". O(log n).
    let lowerBound (pred: 'T -> bool) (t: Tree<'T>) =
        let mutable n = t.Root
        let mutable offset = 0
        let mutable result = t.Count

        while not (isNull n) do
            if pred n.Value then
                result <- offset + Wbt.size n.Left
                n <- n.Left
            else
                offset <- offset + Wbt.size n.Left + 1
                n <- n.Right

        result

    // ---- Owned (transient) edits ----
    // Each returns exactly what its persistent counterpart returns (same elements, same shape), but
    // nodes stamped with `owner` are edited in place instead of copied, and the nodes it creates are
    // stamped with `owner`: once a path is owned, pushBackOwned allocates one leaf. A null owner makes
    // it the persistent operation. The result may be this same Tree instance although its contents
    // changed (the root node was edited in place).
    // Contract (as HashMap.AddOwned): the tree passed in, and every tree sharing nodes stamped with
    // `owner` (earlier versions, results of persistent operations on them), may change and become
    // invalid; the caller promises nobody still needs them. A tree must not hold the same owned node
    // twice (as `concat t t` would). To keep a snapshot unchanged, use a fresh owner for all later
    // owned edits. Persistent operations never change any node, whatever the owners.

    /// Owned pushFront (see the contract above). O(log n); allocates one node on an owned path.
    let pushFrontOwned (owner: obj) (x: 'T) (t: Tree<'T>) = wrap t (Wbt.insertMin owner x t.Root)

    /// Owned pushBack (see the contract above). O(log n); allocates one node on an owned path.
    let pushBackOwned (owner: obj) (x: 'T) (t: Tree<'T>) = wrap t (Wbt.insertMax owner x t.Root)

    /// Owned insertAt (see the contract above). O(log n).
    let insertAtOwned (owner: obj) (i: int) (x: 'T) (t: Tree<'T>) =
        if i < 0 || i > t.Count then
            outOfRange "i"

        wrap t (Wbt.insertAt owner i x t.Root)

    /// Owned removeAt (see the contract above). O(log n); no allocation on an owned path.
    let removeAtOwned (owner: obj) (i: int) (t: Tree<'T>) = removeAtWith owner i t

    /// Owned setAt (see the contract above). O(log n); no allocation on an owned path.
    let setAtOwned (owner: obj) (i: int) (x: 'T) (t: Tree<'T>) =
        if i < 0 || i >= t.Count then
            outOfRange "i"

        wrap t (Wbt.setAt owner i x t.Root)

    /// Owned insertSorted (see the contract above). O(log n).
    let insertSortedOwned (owner: obj) (cmp: IComparer<'T>) (x: 'T) (t: Tree<'T>) =
        wrap t (Wbt.insertSorted owner cmp x t.Root)

    /// Owned removeSorted (see the contract above): t itself, unchanged, when there is no such
    /// element. O(log n).
    let removeSortedOwned (owner: obj) (cmp: IComparer<'T>) (x: 'T) (t: Tree<'T>) = removeSortedWith owner cmp x t

    /// Whether every node's size is right and every node is weight-balanced (tests). O(n).
    let isValid (t: Tree<'T>) = Wbt.valid t.Root

    /// Height of the tree, 0 when empty (tests, diagnostics). O(n).
    let height (t: Tree<'T>) = Wbt.height t.Root
