// The index of a sorted set: a persistent order-statistic B+tree of ScoredMember in ScoreOrder
// (score, then member bytes). Leaves hold up to 64 entries in two arrays (scores, members); inner nodes
// hold up to 64 children with their subtree sizes (rank and select in O(log n)) and separator keys (key
// i >= 1 is above every entry of child i - 1 and at most every entry of child i; it need not be an
// entry). A node's scores are 512 contiguous bytes searched with vector compares (no branch per entry,
// no member read unless scores tie): a search of a million entries reads 4 nodes where a binary tree
// chases ~25 pointers, and an entry costs ~16-25 bytes instead of a ~64-byte node.
//
// Owned editing (as Tree and HashMap): every node carries the owner token of the edit that made it; an
// owned edit (`owner` not null) changes nodes stamped with its owner in place (shifting entries inside
// the arrays, no path copy) and copies the others (stamping the copies), so once a path is owned an
// insert or remove allocates nothing but the occasional split. A null owner copies every node it
// changes: the persistent operation. A node with an owner is never changed by an edit under another
// owner, so a snapshot taken before the live owner is replaced (Db.freeze) never changes.
//
// Shape: all leaves at one depth; no node is empty (the empty tree has no root); a node other than the
// root holds at least a quarter of its capacity, except the first and the last node of a level (an
// insert past the last entry splits the last leaf into a full leaf and a leaf of one entry, so that
// entries added in ascending order, or descending, fill their leaves; removals merge or redistribute
// a node under the minimum with a neighbour). Arrays grow by doubling up to the capacity, so a small set
// holds a small array; slots past the used length are cleared so removed members can be collected.

namespace CoolCache.Core.Values

open System.Collections.Generic
open CoolCache.Core

/// One entry of a sorted set's index: a member and its score.
[<Struct; NoEquality; NoComparison>]
type ScoredMember = { Score: float; Member: Bytes }

module ScoredMember =
    /// Redis's skiplist order: by score (-0 equals 0), then by member bytes (sdscmp). Scores are never NaN.
    let inline compare (a: ScoredMember) (b: ScoredMember) =
        if a.Score < b.Score then -1
        elif a.Score > b.Score then 1
        else Bytes.compare a.Member b.Member

/// Redis's skiplist order as an IComparer (for Array.Sort).
[<Sealed; AllowNullLiteral>]
type ScoreOrder() =
    static member val Instance = ScoreOrder()

    interface IComparer<ScoredMember> with
        member _.Compare(a, b) = ScoredMember.compare a b

namespace CoolCache.Core.Collections

open System
open System.Numerics
open CoolCache.Core
open CoolCache.Core.Values

/// A node: a leaf when Children is null. Scores and Members hold a leaf's entries, or an inner node's
/// separator keys (slot 0 unused); Count is the number of entries below (a leaf's Len).
[<Sealed; AllowNullLiteral>]
type internal ScoreNode =
    val Owner: obj
    /// Entries in the subtree.
    val mutable Count: int
    /// Used slots: entries of a leaf, children of an inner node.
    val mutable Len: int
    val mutable Scores: float[]
    val mutable Members: Bytes[]
    val mutable Children: ScoreNode[]
    /// Sizes[i] = Children[i].Count.
    val mutable Sizes: int[]

    new(owner, count, len, scores, members, children, sizes) =
        {
            Owner = owner
            Count = count
            Len = len
            Scores = scores
            Members = members
            Children = children
            Sizes = sizes
        }

/// The algorithms over nodes (null = empty tree).
module internal ScoreNodes =
    [<Literal>]
    let LeafMax = 64

    [<Literal>]
    let LeafMin = 16

    [<Literal>]
    let InnerMax = 64

    [<Literal>]
    let InnerMin = 16

    /// Split kinds reported up an insert: an even split, or a split at the first or last entry of the tree.
    [<Literal>]
    let Even = 0

    [<Literal>]
    let AtFirst = 1

    [<Literal>]
    let AtLast = 2

    let inline cmp (a: ScoredMember) (b: ScoredMember) = ScoredMember.compare a b

    let inline isLeaf (n: ScoreNode) = isNull n.Children

    let inline owns (owner: obj) (n: ScoreNode) =
        not (isNull owner) && obj.ReferenceEquals(n.Owner, owner)

    let inline count (n: ScoreNode) = if isNull n then 0 else n.Count

    let inline entryAt (n: ScoreNode) (i: int) =
        {
            Score = n.Scores[i]
            Member = n.Members[i]
        }

    let inline setEntry (n: ScoreNode) (i: int) (x: ScoredMember) =
        n.Scores[i] <- x.Score
        n.Members[i] <- x.Member

    /// Keys (entries) [src, src + count) of a to [dst, dst + count) of b (a and b may be one node).
    let inline moveKeys (a: ScoreNode) (src: int) (b: ScoreNode) (dst: int) (count: int) =
        if count > 0 then
            Array.Copy(a.Scores, src, b.Scores, dst, count)
            Array.Copy(a.Members, src, b.Members, dst, count)

    /// Children and their sizes [src, src + count) of a to [dst, dst + count) of b.
    let inline moveKids (a: ScoreNode) (src: int) (b: ScoreNode) (dst: int) (count: int) =
        if count > 0 then
            Array.Copy(a.Children, src, b.Children, dst, count)
            Array.Copy(a.Sizes, src, b.Sizes, dst, count)

    let inline clearKeys (n: ScoreNode) (start: int) (count: int) =
        if count > 0 then
            Array.Clear(n.Scores, start, count)
            Array.Clear(n.Members, start, count)

    let inline clearKids (n: ScoreNode) (start: int) (count: int) =
        if count > 0 then
            Array.Clear(n.Children, start, count)
            Array.Clear(n.Sizes, start, count)

    let inline private resized (a: 'T[]) (capacity: int) (len: int) =
        let b = Array.zeroCreate capacity
        Array.Copy(a, b, len)
        b

    /// A node with empty arrays of the capacity (an inner node when inner).
    let blank (owner: obj) (inner: bool) (capacity: int) =
        ScoreNode(
            owner,
            0,
            0,
            Array.zeroCreate capacity,
            Array.zeroCreate capacity,
            (if inner then Array.zeroCreate capacity else null),
            (if inner then Array.zeroCreate capacity else null)
        )

    /// n itself when owner owns it, else a copy stamped with owner; either way with arrays holding at
    /// least `need` slots (doubling, at most the node capacity).
    let writable (owner: obj) (need: int) (n: ScoreNode) =
        let leaf = isLeaf n
        let cap = n.Scores.Length

        let cap' =
            if need <= cap then
                cap
            else
                min (if leaf then LeafMax else InnerMax) (max need (cap * 2))

        if owns owner n then
            if cap' <> cap then
                n.Scores <- resized n.Scores cap' n.Len
                n.Members <- resized n.Members cap' n.Len

                if not leaf then
                    n.Children <- resized n.Children cap' n.Len
                    n.Sizes <- resized n.Sizes cap' n.Len

            n
        else
            ScoreNode(
                owner,
                n.Count,
                n.Len,
                resized n.Scores cap' n.Len,
                resized n.Members cap' n.Len,
                (if leaf then null else resized n.Children cap' n.Len),
                (if leaf then null else resized n.Sizes cap' n.Len)
            )

    let newLeaf (owner: obj) (capacity: int) (x: ScoredMember) =
        let n = blank owner false capacity
        setEntry n 0 x
        n.Len <- 1
        n.Count <- 1
        n

    // ---- Searches -------------------------------------------------------------------------------

    /// How many of the ascending scores a[start, len) are below s (at most s when inclusive): the offset
    /// from start of the first that is not. Vector compares over every slot, no branch per entry.
    let countBelow (a: float[]) (start: int) (len: int) (s: float) (inclusive: bool) =
        let mutable i = start
        let mutable c = 0

        if Vector.IsHardwareAccelerated && len - start >= Vector<float>.Count then
            let w = Vector<float>.Count
            let vs = Vector<float>(s)
            // Each true lane is -1.
            let mutable acc = Vector<int64>.Zero

            if inclusive then
                while i + w <= len do
                    acc <- acc + Vector.LessThanOrEqual(Vector<float>(a, i), vs)
                    i <- i + w
            else
                while i + w <= len do
                    acc <- acc + Vector.LessThan(Vector<float>(a, i), vs)
                    i <- i + w

            c <- int -(Vector.Sum acc)

        while i < len do
            if (if inclusive then a[i] <= s else a[i] < s) then
                c <- c + 1

            i <- i + 1

        c

    /// The first position in [lo, hi) (a run of equal scores, so ascending members) whose member is
    /// at least m (above m when strict); hi when none.
    let memberBound (members: Bytes[]) (lo: int) (hi: int) (m: Bytes) (strict: bool) =
        let mutable lo = lo
        let mutable hi = hi

        while lo < hi do
            let mid = (lo + hi) >>> 1
            let c = Bytes.compare members[mid] m

            if c < 0 || (strict && c = 0) then
                lo <- mid + 1
            else
                hi <- mid

        lo

    /// The first position in [start, len) of n's keys that is >= x (> x when strict); len when none.
    let inline keyBound (n: ScoreNode) (start: int) (x: ScoredMember) (strict: bool) =
        let len = n.Len
        let scores = n.Scores
        let s = x.Score
        let i = start + countBelow scores start len s false

        if i < len && scores[i] = s then
            // A run of keys with x's score: their members decide.
            let j = i + countBelow scores i len s true
            memberBound n.Members i j x.Member strict
        else
            i

    /// The first position of a leaf whose entry is >= x (Len when none).
    let inline leafLowerBound (n: ScoreNode) (x: ScoredMember) = keyBound n 0 x false

    /// The position of the leaf's entry equal to x, or -1. Within a run of x's score, the member object
    /// itself is looked for first (the member map and the index share their member arrays, so a caller
    /// holding the map's key finds its entry without reading member bytes), then members are compared.
    let leafFind (n: ScoreNode) (x: ScoredMember) =
        let len = n.Len
        let scores = n.Scores
        let s = x.Score
        let i = countBelow scores 0 len s false

        if i >= len || scores[i] <> s then
            -1
        else
            let mutable k = i

            while k < len && scores[k] = s && not (obj.ReferenceEquals(n.Members[k], x.Member)) do
                k <- k + 1

            if k < len && scores[k] = s then
                k
            else
                let j = i + countBelow scores i len s true
                let p = memberBound n.Members i j x.Member false

                if p < j && Bytes.equals n.Members[p] x.Member then
                    p
                else
                    -1

    /// The child of an inner node whose range holds x: the last i with i = 0 or key i <= x.
    let inline childIndex (n: ScoreNode) (x: ScoredMember) = keyBound n 1 x true - 1

    let inline sumSizes (s: int[]) (a: int) (b: int) =
        let mutable t = 0

        for k in a .. b - 1 do
            t <- t + s[k]

        t

    /// Entries in the children before child i, summed from the nearer end.
    let inline before (n: ScoreNode) (i: int) =
        if i <= (n.Len >>> 1) then
            sumSizes n.Sizes 0 i
        else
            n.Count - sumSizes n.Sizes i n.Len

    // ---- Insert ---------------------------------------------------------------------------------

    /// Leaf split of a full leaf with x going to position p: struct (left, right, right's first key).
    let private splitLeaf (owner: obj) (n: ScoreNode) (p: int) (x: ScoredMember) (kind: int) =
        let len = n.Len

        if kind = AtLast then
            // n stays as it is (full); x starts the next leaf.
            struct (n, newLeaf owner LeafMax x, x)
        elif kind = AtFirst then
            struct (newLeaf owner LeafMax x, n, entryAt n 0)
        else
            let total = len + 1
            let half = total / 2
            let r = blank owner false LeafMax
            let own = owns owner n
            let l = if own then n else blank owner false LeafMax

            if p >= half then
                // right = [half, p) ++ [x] ++ [p, len); left = [0, half)
                moveKeys n half r 0 (p - half)
                setEntry r (p - half) x
                moveKeys n p r (p - half + 1) (len - p)

                if own then
                    clearKeys n half (len - half)
                else
                    moveKeys n 0 l 0 half
            else
                // right = [half - 1, len); left = [0, p) ++ [x] ++ [p, half - 1)
                moveKeys n (half - 1) r 0 (len - half + 1)

                if own then
                    moveKeys n p n (p + 1) (half - 1 - p)
                    setEntry n p x
                    clearKeys n half (len - half)
                else
                    moveKeys n 0 l 0 p
                    setEntry l p x
                    moveKeys n p l (p + 1) (half - 1 - p)

            l.Len <- half
            l.Count <- half
            r.Len <- total - half
            r.Count <- total - half
            struct (l, r, entryAt r 0)

    /// Inner node n with child i replaced by c and r (separator s) inserted after it; splits n when full
    /// (an AtLast / AtFirst split keeps every other child on one side).
    let private insertChild
        (owner: obj)
        (n: ScoreNode)
        (i: int)
        (c: ScoreNode)
        (r: ScoreNode)
        (s: ScoredMember)
        (kind: int)
        : struct (ScoreNode * ScoreNode * ScoredMember) =
        let delta = c.Count + r.Count - n.Sizes[i]
        let len = n.Len

        if len < InnerMax then
            let w = writable owner (len + 1) n
            moveKeys w (i + 1) w (i + 2) (len - i - 1)
            moveKids w (i + 1) w (i + 2) (len - i - 1)

            if not (obj.ReferenceEquals(w.Children[i], c)) then
                w.Children[i] <- c

            w.Sizes[i] <- c.Count
            setEntry w (i + 1) s
            w.Children[i + 1] <- r
            w.Sizes[i + 1] <- r.Count
            w.Len <- len + 1
            w.Count <- w.Count + delta
            struct (w, null, Unchecked.defaultof<_>)
        else
            // The len + 1 children in order, then cut.
            let total = len + 1
            let all = blank null true total
            moveKeys n 0 all 0 (i + 1)
            moveKids n 0 all 0 i
            all.Children[i] <- c
            all.Sizes[i] <- c.Count
            setEntry all (i + 1) s
            all.Children[i + 1] <- r
            all.Sizes[i + 1] <- r.Count
            moveKeys n (i + 1) all (i + 2) (len - i - 1)
            moveKids n (i + 1) all (i + 2) (len - i - 1)

            let half =
                if kind = AtLast && i = len - 1 then len
                elif kind = AtFirst && i = 0 then 1
                else total / 2

            let own = owns owner n
            let l = if own then n else blank owner true InnerMax
            moveKeys all 0 l 0 half
            moveKids all 0 l 0 half

            if own then
                clearKeys l half (len - half)
                clearKids l half (len - half)

            let rt = blank owner true InnerMax
            moveKeys all (half + 1) rt 1 (total - half - 1)
            moveKids all half rt 0 (total - half)
            l.Len <- half
            l.Count <- sumSizes all.Sizes 0 half
            rt.Len <- total - half
            rt.Count <- sumSizes all.Sizes half total
            struct (l, rt, entryAt all half)

    /// x inserted into the subtree n (an entry equal to x is replaced). Returns the node replacing n,
    /// and when n split, the new right sibling and its separator, with the kind of split in `kind`.
    /// edge: AtFirst when n is the first node of its level, AtLast when the last (both for a root).
    let rec insert (owner: obj) (x: ScoredMember) (n: ScoreNode) (edge: int) (kind: byref<int>) =
        if isLeaf n then
            let p = leafLowerBound n x

            if p < n.Len && n.Scores[p] = x.Score && Bytes.equals n.Members[p] x.Member then
                let w = writable owner n.Len n
                setEntry w p x
                struct (w, null, Unchecked.defaultof<_>)
            elif n.Len < LeafMax then
                let w = writable owner (n.Len + 1) n
                moveKeys w p w (p + 1) (w.Len - p)
                setEntry w p x
                w.Len <- w.Len + 1
                w.Count <- w.Len
                struct (w, null, Unchecked.defaultof<_>)
            else
                kind <-
                    if p = n.Len && edge &&& AtLast <> 0 then AtLast
                    elif p = 0 && edge &&& AtFirst <> 0 then AtFirst
                    else Even

                splitLeaf owner n p x kind
        else
            let i = childIndex n x
            let c = n.Children[i]

            let edge' =
                (if i = 0 then edge &&& AtFirst else 0)
                ||| (if i = n.Len - 1 then edge &&& AtLast else 0)

            let struct (c', r, s) = insert owner x c edge' &kind

            if not (isNull r) then
                insertChild owner n i c' r s kind
            elif obj.ReferenceEquals(c', c) && c'.Count = n.Sizes[i] then
                struct (n, null, Unchecked.defaultof<_>)
            else
                let w = writable owner n.Len n

                if not (obj.ReferenceEquals(w.Children[i], c')) then
                    w.Children[i] <- c'

                w.Count <- w.Count + c'.Count - w.Sizes[i]
                w.Sizes[i] <- c'.Count
                struct (w, null, Unchecked.defaultof<_>)

    let insertRoot (owner: obj) (x: ScoredMember) (root: ScoreNode) =
        if isNull root then
            newLeaf owner 1 x
        else
            let mutable kind = Even
            let struct (c, r, s) = insert owner x root (AtFirst ||| AtLast) &kind

            if isNull r then
                c
            else
                let top = blank owner true 4
                setEntry top 1 s
                top.Children[0] <- c
                top.Children[1] <- r
                top.Sizes[0] <- c.Count
                top.Sizes[1] <- r.Count
                top.Len <- 2
                top.Count <- c.Count + r.Count
                top

    // ---- Remove ---------------------------------------------------------------------------------

    /// Drops child b of the owned inner node w, with the separator before it (after it when b = 0:
    /// child 0 has none).
    let private dropChild (w: ScoreNode) (b: int) =
        let len = w.Len
        let k = if b = 0 then 1 else b
        moveKeys w (k + 1) w k (len - k - 1)
        moveKids w (b + 1) w b (len - b - 1)
        clearKeys w (len - 1) 1
        clearKeys w 0 1
        clearKids w (len - 1) 1
        w.Len <- len - 1

    /// The owned inner node w after its child i shrank below the minimum: merge it with a neighbour when
    /// both fit in one node, else move entries over until both hold half.
    let private rebalance (owner: obj) (w: ScoreNode) (i: int) =
        if w.Len >= 2 then
            let a = if i + 1 < w.Len then i else i - 1
            let b = a + 1
            let left = w.Children[a]
            let right = w.Children[b]
            let leaf = isLeaf left
            let capacity = if leaf then LeafMax else InnerMax

            if left.Len + right.Len <= capacity then
                let l = writable owner (left.Len + right.Len) left
                let ll = l.Len

                if leaf then
                    moveKeys right 0 l ll right.Len
                else
                    l.Scores[ll] <- w.Scores[b]
                    l.Members[ll] <- w.Members[b]
                    moveKeys right 1 l (ll + 1) (right.Len - 1)
                    moveKids right 0 l ll right.Len

                l.Len <- ll + right.Len
                l.Count <- l.Count + right.Count

                if not (obj.ReferenceEquals(w.Children[a], l)) then
                    w.Children[a] <- l

                w.Sizes[a] <- l.Count
                dropChild w b
            else
                let total = left.Len + right.Len
                let targetL = total / 2
                let targetR = total - targetL
                let l = writable owner (max left.Len targetL) left
                let r = writable owner (max right.Len targetR) right
                let ll = l.Len
                let rl = r.Len
                let mutable sep = entryAt w b

                if ll < targetL then
                    // The first k of r go to the end of l.
                    let k = targetL - ll

                    if leaf then
                        moveKeys r 0 l ll k
                        moveKeys r k r 0 (rl - k)
                        clearKeys r (rl - k) k
                        l.Count <- l.Count + k
                        r.Count <- r.Count - k
                        sep <- entryAt r 0
                    else
                        let moved = sumSizes r.Sizes 0 k
                        setEntry l ll sep
                        moveKeys r 1 l (ll + 1) (k - 1)
                        moveKids r 0 l ll k
                        sep <- entryAt r k
                        moveKeys r k r 0 (rl - k)
                        moveKids r k r 0 (rl - k)
                        clearKeys r 0 1
                        clearKeys r (rl - k) k
                        clearKids r (rl - k) k
                        l.Count <- l.Count + moved
                        r.Count <- r.Count - moved

                    l.Len <- ll + k
                    r.Len <- rl - k
                else
                    // The last k of l go to the front of r.
                    let k = ll - targetL

                    if leaf then
                        moveKeys r 0 r k rl
                        moveKeys l (ll - k) r 0 k
                        clearKeys l (ll - k) k
                        l.Count <- l.Count - k
                        r.Count <- r.Count + k
                        sep <- entryAt r 0
                    else
                        let moved = sumSizes l.Sizes (ll - k) ll
                        moveKeys r 0 r k rl
                        moveKids r 0 r k rl
                        setEntry r k sep
                        moveKeys l (ll - k + 1) r 1 (k - 1)
                        moveKids l (ll - k) r 0 k
                        clearKeys r 0 1
                        sep <- entryAt l (ll - k)
                        clearKeys l (ll - k) k
                        clearKids l (ll - k) k
                        l.Count <- l.Count - moved
                        r.Count <- r.Count + moved

                    l.Len <- ll - k
                    r.Len <- rl + k

                setEntry w b sep

                if not (obj.ReferenceEquals(w.Children[a], l)) then
                    w.Children[a] <- l

                if not (obj.ReferenceEquals(w.Children[b], r)) then
                    w.Children[b] <- r

                w.Sizes[a] <- l.Count
                w.Sizes[b] <- r.Count

    /// The inner node n after its child i became c' with a different count (or identity): n (or its
    /// copy) with the child and the sizes updated, and c' dropped when empty or rebalanced when under
    /// the minimum.
    let private afterChildShrank (owner: obj) (n: ScoreNode) (i: int) (c': ScoreNode) =
        let w = writable owner n.Len n

        if not (obj.ReferenceEquals(w.Children[i], c')) then
            w.Children[i] <- c'

        w.Count <- w.Count + c'.Count - w.Sizes[i]
        w.Sizes[i] <- c'.Count

        if c'.Len = 0 then
            dropChild w i
        elif c'.Len < (if isLeaf c' then LeafMin else InnerMin) then
            rebalance owner w i

        w

    /// The subtree n without the entry equal to x: n itself (unchanged) when there is none. The result
    /// may be under the minimum or empty; its parent repairs it.
    let rec remove (owner: obj) (x: ScoredMember) (n: ScoreNode) : ScoreNode =
        if isLeaf n then
            let p = leafFind n x

            if p < 0 then
                n
            else
                let w = writable owner n.Len n
                let len = w.Len
                moveKeys w (p + 1) w p (len - p - 1)
                clearKeys w (len - 1) 1
                w.Len <- len - 1
                w.Count <- len - 1
                w
        else
            let i = childIndex n x
            let c = n.Children[i]
            let c' = remove owner x c

            if obj.ReferenceEquals(c', c) && c'.Count = n.Sizes[i] then
                n
            else
                afterChildShrank owner n i c'

    /// The subtree n without the entries from position pos up to k of them, stopping at the end of the
    /// leaf holding pos; removed says how many went (at least 1 when pos < n.Count and k > 0).
    let rec removeSpan (owner: obj) (pos: int) (k: int) (n: ScoreNode) (removed: byref<int>) : ScoreNode =
        if isLeaf n then
            let m = min k (n.Len - pos)
            let w = writable owner n.Len n
            let len = w.Len
            moveKeys w (pos + m) w pos (len - pos - m)
            clearKeys w (len - m) m
            w.Len <- len - m
            w.Count <- len - m
            removed <- m
            w
        else
            let mutable i = 0
            let mutable pos = pos

            while pos >= n.Sizes[i] do
                pos <- pos - n.Sizes[i]
                i <- i + 1

            let c' = removeSpan owner pos k n.Children[i] &removed
            afterChildShrank owner n i c'

    /// The root after a removal: an inner root of one child gives way to it; an empty root to nothing.
    let rec shrinkRoot (root: ScoreNode) =
        if isNull root || root.Len = 0 then
            null
        elif not (isLeaf root) && root.Len = 1 then
            shrinkRoot root.Children[0]
        else
            root

    // ---- Move within a leaf -------------------------------------------------------------------

    /// What moveOrRemove did: moved old's entry to nw's place inside its leaf,
    [<Literal>]
    let Moved = 0

    /// removed it (nw belongs in another leaf),
    [<Literal>]
    let Removed = 1

    /// nothing, because old is the first (last) entry of its leaf and nw is below (above) the leaf's
    /// bound but still above (below) old's neighbour inside the leaf: nw may belong at old's place (setAt),
    [<Literal>]
    let AtLeafEdge = 2

    /// or nothing, because old is absent.
    [<Literal>]
    let Absent = 3

    /// The first half of a rescore of old (present) to nw in one descent: the subtree n with old's entry
    /// replaced by nw when nw belongs in the same leaf (between the bounds of the leaf holding old: lo <=
    /// nw < hi, a missing bound being infinite; the entries between the two places shift by one, no
    /// count changes), else without old's entry (the caller inserts nw; the result may be under the
    /// minimum, as remove's). `did` says which (see Moved); null when nothing changed.
    let rec moveOrRemove
        (owner: obj)
        (old: ScoredMember)
        (nw: ScoredMember)
        (n: ScoreNode)
        (hasLo: bool)
        (lo: ScoredMember)
        (hasHi: bool)
        (hi: ScoredMember)
        (did: byref<int>)
        : ScoreNode =
        if isLeaf n then
            let p = leafFind n old
            let len = n.Len

            if p < 0 then
                did <- Absent
                null
            elif (hasLo && cmp lo nw > 0) || (hasHi && cmp nw hi >= 0) then
                let below = hasLo && cmp lo nw > 0

                if
                    (below && p = 0 && (len = 1 || cmp nw (entryAt n 1) < 0))
                    || (not below && p = len - 1 && (len = 1 || cmp (entryAt n (p - 1)) nw < 0))
                then
                    did <- AtLeafEdge
                    null
                else
                    did <- Removed
                    let w = writable owner len n
                    moveKeys w (p + 1) w p (len - p - 1)
                    clearKeys w (len - 1) 1
                    w.Len <- len - 1
                    w.Count <- len - 1
                    w
            else
                let q = leafLowerBound n nw
                let w = writable owner len n

                if q <= p then
                    moveKeys w q w (q + 1) (p - q)
                    setEntry w q nw
                else
                    moveKeys w (p + 1) w p (q - 1 - p)
                    setEntry w (q - 1) nw

                did <- Moved
                w
        else
            let i = childIndex n old
            let c = n.Children[i]
            let hasLo' = hasLo || i > 0
            let lo' = if i > 0 then entryAt n i else lo
            let hasHi' = hasHi || i + 1 < n.Len
            let hi' = if i + 1 < n.Len then entryAt n (i + 1) else hi
            let c' = moveOrRemove owner old nw c hasLo' lo' hasHi' hi' &did

            if isNull c' then
                null
            elif did = Removed then
                afterChildShrank owner n i c'
            elif obj.ReferenceEquals(c', c) then
                n
            else
                let w = writable owner n.Len n
                w.Children[i] <- c'
                w

    /// The subtree n with its entry at position i replaced by x, which belongs there (above the entry
    /// before, below `next`, the entry after, when there is one). A separator that no longer bounds its
    /// child becomes x (the lower bound of the child x starts) or next (the upper bound of the child x
    /// ends). No count changes.
    let rec setAt (owner: obj) (i: int) (x: ScoredMember) (next: ScoredMember) (n: ScoreNode) : ScoreNode =
        if isLeaf n then
            let w = writable owner n.Len n
            setEntry w i x
            w
        else
            let mutable j = 0
            let mutable i = i

            while i >= n.Sizes[j] do
                i <- i - n.Sizes[j]
                j <- j + 1

            let c = n.Children[j]
            let c' = setAt owner i x next c
            let fixLo = j > 0 && cmp (entryAt n j) x > 0
            let fixHi = j + 1 < n.Len && cmp (entryAt n (j + 1)) x <= 0

            if obj.ReferenceEquals(c', c) && not fixLo && not fixHi then
                n
            else
                let w = writable owner n.Len n

                if not (obj.ReferenceEquals(w.Children[j], c')) then
                    w.Children[j] <- c'

                if fixLo then
                    setEntry w j x

                if fixHi then
                    setEntry w (j + 1) next

                w

    // ---- Reads ----------------------------------------------------------------------------------

    /// Copies the entries at positions [lo, hi) (relative to n) to dest from di; returns the next di.
    let rec copy (n: ScoreNode) (lo: int) (hi: int) (dest: ScoredMember[]) (di: int) =
        if isLeaf n then
            let a = max lo 0
            let b = min hi n.Len

            for k in a .. b - 1 do
                dest[di + k - a] <- entryAt n k

            if a < b then di + b - a else di
        else
            let mutable di = di
            let mutable off = 0
            let mutable j = 0

            while j < n.Len && off < hi do
                let size = n.Sizes[j]

                if off + size > lo then
                    di <- copy n.Children[j] (lo - off) (hi - off) dest di

                off <- off + size
                j <- j + 1

            di

    let rec iter (n: ScoreNode) (lo: int) (hi: int) (f: ScoredMember -> unit) =
        if isLeaf n then
            for k in max lo 0 .. min hi n.Len - 1 do
                f (entryAt n k)
        else
            let mutable off = 0
            let mutable j = 0

            while j < n.Len && off < hi do
                let size = n.Sizes[j]

                if off + size > lo then
                    iter n.Children[j] (lo - off) (hi - off) f

                off <- off + size
                j <- j + 1

    let rec iterBack (n: ScoreNode) (lo: int) (hi: int) (f: ScoredMember -> unit) =
        if isLeaf n then
            for k in min hi n.Len - 1 .. -1 .. max lo 0 do
                f (entryAt n k)
        else
            let mutable off = n.Count
            let mutable j = n.Len - 1

            while j >= 0 && off > lo do
                let size = n.Sizes[j]

                if off - size < hi then
                    iterBack n.Children[j] (lo - off + size) (hi - off + size) f

                off <- off - size
                j <- j - 1

    // ---- Bulk build -----------------------------------------------------------------------------

    /// Piece j of n things cut into `parts` pieces as even as possible starts here.
    let inline private pieceStart (n: int) (parts: int) (j: int) = int (int64 n * int64 j / int64 parts)

    /// A tree of sorted distinct entries, leaves and inner nodes as full as the capacities allow and
    /// arrays exactly as long as they are used (the first owned write copies a node anyway). O(n).
    let ofSorted (a: ScoredMember[]) =
        if a.Length = 0 then
            null
        else
            let leaves = (a.Length + LeafMax - 1) / LeafMax

            let mutable level =
                Array.init leaves (fun j ->
                    let s = pieceStart a.Length leaves j
                    let e = pieceStart a.Length leaves (j + 1)
                    let n = blank null false (e - s)

                    for k in s .. e - 1 do
                        setEntry n (k - s) a[k]

                    n.Len <- e - s
                    n.Count <- e - s
                    n)

            let mutable firsts = Array.init leaves (fun j -> a[pieceStart a.Length leaves j])

            while level.Length > 1 do
                let nodes = level
                let keys = firsts
                let parents = (nodes.Length + InnerMax - 1) / InnerMax

                level <-
                    Array.init parents (fun j ->
                        let s = pieceStart nodes.Length parents j
                        let e = pieceStart nodes.Length parents (j + 1)
                        let n = blank null true (e - s)

                        for k in s .. e - 1 do
                            if k > s then
                                setEntry n (k - s) keys[k]

                            n.Children[k - s] <- nodes[k]
                            n.Sizes[k - s] <- nodes[k].Count

                        n.Len <- e - s
                        n.Count <- sumSizes n.Sizes 0 (e - s)
                        n)

                firsts <- Array.init parents (fun j -> keys[pieceStart nodes.Length parents j])

            level[0]

    // ---- Checks (tests) ---------------------------------------------------------------------------

    let rec height (n: ScoreNode) =
        if isNull n then 0
        elif isLeaf n then 1
        else 1 + height n.Children[0]

    let rec leafCount (n: ScoreNode) =
        if isNull n then
            0
        elif isLeaf n then
            1
        else
            let mutable c = 0

            for k in 0 .. n.Len - 1 do
                c <- c + leafCount n.Children[k]

            c

    /// Adds to `found` the problems of the subtree n at `depth` (leaves at `leafDepth`): counts, sizes,
    /// order, bounds (lo <= entries < hi), fill and cleared slots. first / last: n is the first / last
    /// node of its level.
    let rec problems
        (found: ResizeArray<string>)
        (n: ScoreNode)
        (isRoot: bool)
        (first: bool)
        (last: bool)
        (depth: int)
        (leafDepth: int)
        (lo: ScoredMember voption)
        (hi: ScoredMember voption)
        =
        let inBounds (x: ScoredMember) =
            (match lo with
             | ValueSome l -> cmp l x <= 0
             | ValueNone -> true)
            && (match hi with
                | ValueSome h -> cmp x h < 0
                | ValueNone -> true)

        let problem (text: string) = found.Add text
        let cap = n.Scores.Length
        let edge = isRoot || first || last

        if n.Len < 1 then
            problem "empty node"

        if n.Len > cap || n.Members.Length <> cap then
            problem "more used slots than capacity, or arrays of different capacities"

        let cleared (k: int) =
            isNull n.Members[k]
            && n.Scores[k] = 0.0
            && BitConverter.DoubleToInt64Bits n.Scores[k] = 0L

        if isLeaf n then
            if depth <> leafDepth then
                problem "leaves at different depths"

            if n.Count <> n.Len then
                problem "leaf count <> length"

            if cap > LeafMax then
                problem "leaf over capacity"

            if not edge && n.Len < LeafMin then
                problem (sprintf "leaf under the minimum (%d)" n.Len)

            for k in 0 .. n.Len - 1 do
                if isNull n.Members[k] || Double.IsNaN n.Scores[k] then
                    problem "leaf entry without a member or with a NaN score"
                elif not (inBounds (entryAt n k)) then
                    problem "leaf entry outside its bounds"
                elif k > 0 && cmp (entryAt n (k - 1)) (entryAt n k) >= 0 then
                    problem "leaf entries out of order"

            for k in n.Len .. cap - 1 do
                if not (cleared k) then
                    problem "leaf slot past the length not cleared"
        else
            if cap > InnerMax || n.Children.Length <> cap || n.Sizes.Length <> cap then
                problem "inner arrays of different capacities or over capacity"

            if isRoot && n.Len < 2 then
                problem "inner root with fewer than 2 children"

            if not edge && n.Len < InnerMin then
                problem (sprintf "inner node under the minimum (%d)" n.Len)

            if not (cleared 0) then
                problem "inner key 0 set"

            if n.Count <> sumSizes n.Sizes 0 n.Len then
                problem "inner count <> sum of sizes"

            for k in n.Len .. cap - 1 do
                if not (cleared k) || not (isNull n.Children[k]) || n.Sizes[k] <> 0 then
                    problem "inner slot past the length not cleared"

            for k in 1 .. n.Len - 1 do
                if isNull n.Members[k] then
                    problem "separator without a member"
                elif not (inBounds (entryAt n k)) then
                    problem "separator outside its node's bounds"
                elif k > 1 && cmp (entryAt n (k - 1)) (entryAt n k) >= 0 then
                    problem "separators out of order"

            for k in 0 .. n.Len - 1 do
                let c = n.Children[k]

                if isNull c then
                    problem "null child"
                else
                    if c.Count <> n.Sizes[k] then
                        problem "size <> child count"

                    let lo' = if k > 0 then ValueSome(entryAt n k) else lo
                    let hi' = if k + 1 < n.Len then ValueSome(entryAt n (k + 1)) else hi
                    problems found c false (first && k = 0) (last && k = n.Len - 1) (depth + 1) leafDepth lo' hi'
