// The public face of the sorted-set index: ScoreTree wraps a root of ScoreNodes (ScoreNodes.fs holds
// the node algorithms, their shape and ownership rules).

namespace CoolCache.Core.Collections

open System
open System.Numerics
open CoolCache.Core
open CoolCache.Core.Values

/// An immutable sequence of ScoredMember in ScoreOrder (distinct under it) with O(log n) insert, remove,
/// rank, select and bound searches, and owned in-place edits (see ScoreNodes).
[<Sealed>]
type ScoreTree internal (root: ScoreNode) =
    static let empty = ScoreTree(null)
    static member internal Empty = empty
    member internal _.Root = root
    /// Number of entries. O(1).
    member _.Count = ScoreNodes.count root
    /// O(1).
    member _.IsEmpty = isNull root

module ScoreTree =
    let private outOfRange (name: string) : 'a =
        raise (ArgumentOutOfRangeException(name))

    let inline private wrap (old: ScoreTree) (root: ScoreNode) =
        if obj.ReferenceEquals(root, old.Root) then old
        elif isNull root then ScoreTree.Empty
        else ScoreTree(root)

    let inline private checkRange (t: ScoreTree) (start: int) (count: int) =
        if start < 0 || count < 0 || start > t.Count - count then
            outOfRange "start"

    /// The empty tree. O(1).
    let empty = ScoreTree.Empty

    /// Number of entries. O(1).
    let inline count (t: ScoreTree) = t.Count

    /// O(1).
    let inline isEmpty (t: ScoreTree) = t.IsEmpty

    // ---- Owned edits ----
    // As Tree's and HashMap.AddOwned's contract: nodes stamped with `owner` change in place, so the tree
    // passed in and every tree sharing such nodes may change; a null owner is the persistent operation.
    // The result may be the same ScoreTree instance with different contents.

    /// x inserted at its place (an entry equal to x replaced). O(log n).
    let insertOwned (owner: obj) (x: ScoredMember) (t: ScoreTree) =
        wrap t (ScoreNodes.insertRoot owner x t.Root)

    /// The entry equal to x removed, and whether there was one (when not, t itself, unchanged). O(log n).
    let removeOwned (owner: obj) (x: ScoredMember) (t: ScoreTree) : struct (ScoreTree * bool) =
        if t.IsEmpty then
            struct (t, false)
        else
            let before = t.Count
            let root = ScoreNodes.remove owner x t.Root

            if obj.ReferenceEquals(root, t.Root) && root.Count = before then
                struct (t, false)
            else
                struct (wrap t (ScoreNodes.shrinkRoot root), true)

    /// The count entries from position start removed. O(log n + count).
    let removeRangeOwned (owner: obj) (start: int) (count: int) (t: ScoreTree) =
        checkRange t start count
        let mutable root = t.Root
        let mutable left = count

        while left > 0 do
            let mutable removed = 0
            root <- ScoreNodes.shrinkRoot (ScoreNodes.removeSpan owner start left root &removed)
            left <- left - removed

        wrap t root

    /// The entry at position i removed. O(log n).
    let removeAtOwned (owner: obj) (i: int) (t: ScoreTree) =
        if i < 0 || i >= t.Count then
            outOfRange "i"

        removeRangeOwned owner i 1 t

    // ---- Persistent edits ----

    /// x inserted (an equal entry replaced). O(log n).
    let insert (x: ScoredMember) (t: ScoreTree) = insertOwned null x t

    /// The entry equal to x removed (t itself when there is none). O(log n).
    let remove (x: ScoredMember) (t: ScoreTree) =
        let struct (t', _) = removeOwned null x t
        t'

    /// The count entries from position start removed. O(log n + count).
    let removeRange (start: int) (count: int) (t: ScoreTree) = removeRangeOwned null start count t

    // ---- Reads ----

    /// The position of the entry equal to x, or -1. O(log n), no allocation.
    let rank (x: ScoredMember) (t: ScoreTree) =
        let mutable n = t.Root

        if isNull n then
            -1
        else
            let mutable acc = 0

            while not (ScoreNodes.isLeaf n) do
                let i = ScoreNodes.childIndex n x
                acc <- acc + ScoreNodes.before n i
                n <- n.Children[i]

            let p = ScoreNodes.leafFind n x
            if p >= 0 then acc + p else -1

    /// The entry at position i (ArgumentOutOfRangeException outside [0, count)). O(log n), no allocation.
    let item (i: int) (t: ScoreTree) =
        if i < 0 || i >= t.Count then
            outOfRange "i"

        let mutable n = t.Root
        let mutable i = i

        while not (ScoreNodes.isLeaf n) do
            let sizes = n.Sizes
            let mutable j = 0

            if i < (n.Count >>> 1) then
                while i >= sizes[j] do
                    i <- i - sizes[j]
                    j <- j + 1
            else
                // From the back: i becomes the position counted from the end of child j.
                let mutable back = n.Count - i
                j <- n.Len - 1

                while back > sizes[j] do
                    back <- back - sizes[j]
                    j <- j - 1

                i <- sizes[j] - back

            n <- n.Children[j]

        ScoreNodes.entryAt n i

    // ---- Rescore ----

    /// The entry equal to old (present; when absent, nw is inserted) replaced by nw: in place when nw
    /// belongs in the leaf holding old (entries shifting inside it) or at old's place (its neighbours stay
    /// in order: zslUpdateScore); else removed (in the same descent) and inserted. O(log n).
    let replaceOwned (owner: obj) (old: ScoredMember) (nw: ScoredMember) (t: ScoreTree) =
        if t.IsEmpty then
            insertOwned owner nw t
        else
            let d = Unchecked.defaultof<ScoredMember>
            let mutable did = 0
            let root = ScoreNodes.moveOrRemove owner old nw t.Root false d false d &did

            if did = ScoreNodes.Moved then
                wrap t root
            elif did = ScoreNodes.Removed then
                insertOwned owner nw (wrap t (ScoreNodes.shrinkRoot root))
            elif did = ScoreNodes.Absent then
                insertOwned owner nw t
            else
                // At its leaf's edge: in place when its neighbours (in the next leaves) stay in order.
                let r = rank old t
                let n = t.Count

                if
                    (r = 0 || ScoreNodes.cmp (item (r - 1) t) nw < 0)
                    && (r = n - 1 || ScoreNodes.cmp nw (item (r + 1) t) < 0)
                then
                    let next = if r = n - 1 then d else item (r + 1) t
                    wrap t (ScoreNodes.setAt owner r nw next t.Root)
                else
                    let struct (t', _) = removeOwned owner old t
                    insertOwned owner nw t'

    /// The position of the first entry for which pred holds, count when none does. pred must be monotone
    /// over the order of all (score, member) keys, not only the entries (false ... false true ... true),
    /// e.g. "member >= min" when every entry has one score (see countScoreBelow for score bounds). O(log n).
    let lowerBound (pred: ScoredMember -> bool) (t: ScoreTree) =
        let mutable n = t.Root

        if isNull n then
            0
        else
            let mutable acc = 0

            while not (ScoreNodes.isLeaf n) do
                // The first separator for which pred holds: the entries before it fail, and the answer
                // is in the child before it (or is that child's end, the next child's first entry).
                let mutable lo = 1
                let mutable hi = n.Len

                while lo < hi do
                    let mid = (lo + hi) >>> 1

                    if pred (ScoreNodes.entryAt n mid) then
                        hi <- mid
                    else
                        lo <- mid + 1

                let i = lo - 1
                acc <- acc + ScoreNodes.before n i
                n <- n.Children[i]

            let mutable lo = 0
            let mutable hi = n.Len

            while lo < hi do
                let mid = (lo + hi) >>> 1

                if pred (ScoreNodes.entryAt n mid) then
                    hi <- mid
                else
                    lo <- mid + 1

            acc + lo

    /// The number of entries whose score is below s (at most s when inclusive): the position of the first
    /// entry with a score >= s (> s). O(log n), no allocation.
    let countScoreBelow (s: float) (inclusive: bool) (t: ScoreTree) =
        let mutable n = t.Root

        if isNull n then
            0
        else
            let mutable acc = 0

            while not (ScoreNodes.isLeaf n) do
                // Children before the first separator not below s hold only entries below it.
                let i = ScoreNodes.countBelow n.Scores 1 n.Len s inclusive
                acc <- acc + ScoreNodes.before n i
                n <- n.Children[i]

            acc + ScoreNodes.countBelow n.Scores 0 n.Len s inclusive

    /// Copies the count entries from position start into dest at destIndex. O(log n + count).
    let copyRange (start: int) (count: int) (dest: ScoredMember[]) (destIndex: int) (t: ScoreTree) =
        checkRange t start count

        if destIndex < 0 || destIndex > dest.Length - count then
            outOfRange "destIndex"

        if count > 0 then
            ScoreNodes.copy t.Root start (start + count) dest destIndex |> ignore

    /// The entries in order, as a new array. O(n).
    let toArray (t: ScoreTree) =
        let a = Array.zeroCreate t.Count
        copyRange 0 t.Count a 0 t
        a

    /// Calls f on the count entries from position start, first to last. O(log n + count).
    let iterRange (start: int) (count: int) (f: ScoredMember -> unit) (t: ScoreTree) =
        checkRange t start count

        if count > 0 then
            ScoreNodes.iter t.Root start (start + count) f

    /// Calls f on the count entries from position start, last to first. O(log n + count).
    let iterRangeBack (start: int) (count: int) (f: ScoredMember -> unit) (t: ScoreTree) =
        checkRange t start count

        if count > 0 then
            ScoreNodes.iterBack t.Root start (start + count) f

    /// A tree of entries already in ScoreOrder and distinct, its nodes full (persistent: the first owned
    /// write to a node copies it). O(n).
    let ofSorted (a: ScoredMember[]) = wrap empty (ScoreNodes.ofSorted a)

    /// Depth of the leaves, 0 when empty (tests, diagnostics). O(log n).
    let height (t: ScoreTree) = ScoreNodes.height t.Root

    /// Number of leaves (tests, diagnostics: entries per leaf). O(n / 64).
    let leafCount (t: ScoreTree) = ScoreNodes.leafCount t.Root

    /// What is wrong with the tree's shape, empty when nothing (tests): counts, sizes, order, separator
    /// bounds, equal leaf depths, fill minimums, cleared slots past the used length. O(n).
    let problems (t: ScoreTree) : string list =
        if t.IsEmpty then
            []
        else
            let found = ResizeArray()
            ScoreNodes.problems found t.Root true true true 1 (ScoreNodes.height t.Root) ValueNone ValueNone
            List.ofSeq found

    /// Whether problems is empty (tests). O(n).
    let isValid (t: ScoreTree) = List.isEmpty (problems t)
