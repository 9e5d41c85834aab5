/// Set values (t_set.c "Set API"): the members in a persistent hash map, and the encoding Redis 7.0 would
/// report: "intset" while every member is an integer in canonical form (string2ll) and there are at most
/// set-max-intset-entries of them, "hashtable" from then on (the conversion is one way, as in Redis).
/// Edits take the owner token of the Db holding the set (Db.Owner): member-map nodes stamped with it are
/// edited in place (HashMap.AddOwned), so a set's nodes must never be reachable from two keys: COPY and
/// the store commands build fresh sets.
namespace CoolCache.Core.Values

open System
open System.Collections.Generic
open CoolCache.Core
open CoolCache.Core.Collections

/// A set value: its members and whether OBJECT ENCODING still says "intset".
[<Struct>]
type RedisSet =
    {
        Members: HashMap<Bytes, unit>
        /// Every member is a canonical int64 and the count has never passed set-max-intset-entries.
        Intset: bool
    }

module RedisSet =
    let private noMembers: HashMap<Bytes, unit> = HashMap.empty BytesComparer.Instance

    /// The empty set that SADD and the store commands start from: "intset" until a member says otherwise.
    let empty = { Members = noMembers; Intset = true }

    /// Redis isSdsRepresentableAsLongLong: the member is an int64 in canonical form ("12", not "012"/"+12").
    let isIntegerMember (m: Bytes) =
        let mutable v = 0L
        Numbers.tryParseInt64Span (ReadOnlySpan m, &v)

    /// Intsets hold at most 2^30 entries whatever the setting (intset.c limits).
    let private intsetLimit (maxIntset: int64) = min maxIntset (1L <<< 30)

    /// Number of members. O(1).
    let inline count (s: RedisSet) = s.Members.Count

    /// O(log32 n), no allocation.
    let inline contains (m: Bytes) (s: RedisSet) = s.Members.ContainsKey m

    /// The set with m added (count grows by one), or s itself when m is already a member. Edits nodes
    /// stamped with owner in place (HashMap.AddOwned contract). O(log32 n).
    let add (owner: obj) (maxIntset: int64) (m: Bytes) (s: RedisSet) : RedisSet =
        let members = s.Members.AddOwned(owner, m, ())

        // Same count: m was there (an owned path was left as it was; a copied path is dropped).
        if members.Count = s.Members.Count then
            s
        else
            {
                Members = members
                Intset = s.Intset && int64 members.Count <= intsetLimit maxIntset && isIntegerMember m
            }

    /// The set without m, or s itself when m is not a member; the encoding stays. O(log32 n).
    let remove (owner: obj) (m: Bytes) (s: RedisSet) : RedisSet =
        let members = s.Members.RemoveOwned(owner, m)

        if obj.ReferenceEquals(members, s.Members) then
            s
        else
            { s with Members = members }

    /// A new set of these members (duplicates collapse), encoded as Redis encodes a set built by adding
    /// them to an empty intset (SINTERSTORE, SMOVE to a new key...). Built under owner. O(n log32 n).
    let ofMembers (owner: obj) (maxIntset: int64) (members: Bytes[]) : RedisSet =
        let mutable s = empty

        for m in members do
            s <- add owner maxIntset m s

        s

    let private intValue (m: Bytes) =
        let mutable v = 0L
        Numbers.tryParseInt64Span (ReadOnlySpan m, &v) |> ignore
        v

    /// Sorts integer members in place by value: the order Redis iterates an intset in.
    let private sortAsIntegers (members: Bytes[]) =
        let keys = Array.map intValue members
        Array.Sort(keys, members)

    /// Puts members in the order Redis replies a result set built from them: ascending when that set would
    /// be an intset (all integers, at most set-max-intset-entries), else as they are. O(n log n).
    let inReplyOrder (maxIntset: int64) (members: Bytes[]) : Bytes[] =
        if
            int64 members.Length <= intsetLimit maxIntset
            && Array.forall isIntegerMember members
        then
            sortAsIntegers members

        members

    /// The members, in Redis's iteration order for an intset (ascending), else in hash order. O(n), plus
    /// O(n log n) for an intset.
    let toArray (s: RedisSet) : Bytes[] =
        let a = Array.zeroCreate s.Members.Count

        HashMap.fold
            (fun i k _ ->
                a[i] <- k
                i + 1)
            0
            s.Members
        |> ignore

        if s.Intset then
            sortAsIntegers a

        a

    /// An equal set that shares no node with s (COPY): same members, same encoding. O(n log32 n).
    let copy (s: RedisSet) : RedisSet =
        let owner = obj ()

        {
            Members =
                HashMap.fold (fun (acc: HashMap<Bytes, unit>) k _ -> acc.AddOwned(owner, k, ())) noMembers s.Members
            Intset = s.Intset
        }

    // ---- Randomness: every draw comes from a seed (Ctx.Seed), never from a global generator ----

    /// The next seed of a sequence of draws (an LCG step; HashMap.randomEntry mixes it).
    let inline nextSeed (seed: uint64) =
        seed * 6364136223846793005UL + 1442695040888963407UL

    /// A member chosen by seed; every member has a non-zero chance, not exactly uniform (as Redis's
    /// dictGetFairRandomKey is not). The set must not be empty. O(log32 n).
    let randomMember (seed: uint64) (s: RedisSet) : Bytes =
        let struct (m, _) = (HashMap.randomEntry seed s.Members).Value
        m

    /// A uniform index in [0, n) from a seed (SplitMix64 finaliser, then modulo).
    let private uniformIndex (seed: uint64) (n: int) =
        let z = (seed ^^^ (seed >>> 30)) * 0xBF58476D1CE4E5B9UL
        let z = (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
        int ((z ^^^ (z >>> 31)) % uint64 n)

    /// SRANDMEMBER key -count: count draws, repeats allowed. O(count log32 n).
    let randomWithRepeats (seed: uint64) (count: int) (s: RedisSet) : Bytes[] =
        let out = Array.zeroCreate count
        let mutable seed = seed

        for i in 0 .. count - 1 do
            out[i] <- randomMember seed s
            seed <- nextSeed seed

        out

    /// SRANDMEMBER key count: count distinct members (all of them when count >= size). Near the size, a
    /// partial shuffle of all members (uniform); far below it, draws until count distinct (Redis's CASE 4).
    let randomDistinct (seed: uint64) (count: int) (s: RedisSet) : Bytes[] =
        let size = s.Members.Count

        if count >= size then
            toArray s
        elif int64 count * 3L > int64 size then
            let all = toArray s
            let mutable seed = seed

            for i in 0 .. count - 1 do
                let j = i + uniformIndex seed (size - i)
                let t = all[i]
                all[i] <- all[j]
                all[j] <- t
                seed <- nextSeed seed

            Array.sub all 0 count
        else
            let seen = HashSet<Bytes>(count, BytesComparer.Instance)
            let out = Array.zeroCreate count
            let mutable n = 0
            let mutable seed = seed

            while n < count do
                let m = randomMember seed s

                if seen.Add m then
                    out[n] <- m
                    n <- n + 1

                seed <- nextSeed seed

            out

    /// SPOP key count with 0 < count < size: the popped members and the set left. Few pops remove random
    /// members one by one; when few members remain, Redis (CASE 3) moves the ones that stay into a new
    /// set, whose encoding is recomputed from them: so do we.
    let popMany
        (owner: obj)
        (maxIntset: int64)
        (seed: uint64)
        (count: int)
        (s: RedisSet)
        : struct (Bytes[] * RedisSet) =
        let remaining = s.Members.Count - count
        let mutable seed = seed
        let mutable set = s

        if int64 remaining * 5L > int64 count then
            let popped = Array.zeroCreate count

            for i in 0 .. count - 1 do
                let m = randomMember seed set
                popped[i] <- m
                set <- remove owner m set
                seed <- nextSeed seed

            struct (popped, set)
        else
            let mutable kept = empty

            for _ in 1..remaining do
                let m = randomMember seed set
                kept <- add owner maxIntset m kept
                set <- remove owner m set
                seed <- nextSeed seed

            struct (toArray set, kept)

    // ---- Algebra (SINTER, SUNION, SDIFF and their STORE / CARD forms) ----

    /// Members of every set (none when there are no sets), in the iteration order of the smallest; stops
    /// after limit members (0 = no limit). O(smallest size * sets).
    let inter (limit: int) (sets: RedisSet[]) : ResizeArray<Bytes> =
        let out = ResizeArray<Bytes>()

        if sets.Length > 0 then
            let sets = Array.sortBy count sets
            let smallest = sets[0]
            let candidates = toArray smallest
            let mutable i = 0

            while i < candidates.Length do
                let m = candidates[i]
                i <- i + 1
                let mutable inAll = true
                let mutable j = 1

                while inAll && j < sets.Length do
                    inAll <- obj.ReferenceEquals(sets[j].Members, smallest.Members) || contains m sets[j]
                    j <- j + 1

                if inAll then
                    out.Add m

                    if limit > 0 && out.Count >= limit then
                        i <- candidates.Length

        out

    /// Members of any of the sets, as a new set built under owner. O(total size).
    let union (owner: obj) (maxIntset: int64) (sets: RedisSet[]) : RedisSet =
        let mutable acc = empty

        for s in sets do
            acc <- HashMap.fold (fun (a: RedisSet) k _ -> add owner maxIntset k a) acc s.Members

        acc

    /// Members of first that are in none of the others. O(size of first * sets).
    let diff (first: RedisSet) (others: RedisSet[]) : ResizeArray<Bytes> =
        let out = ResizeArray<Bytes>()

        HashMap.fold
            (fun () m _ ->
                let mutable keep = true
                let mutable j = 0

                while keep && j < others.Length do
                    keep <- not (contains m others[j])
                    j <- j + 1

                if keep then
                    out.Add m)
            ()
            first.Members

        out
