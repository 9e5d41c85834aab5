/// Persistent hash map (CHAMP). PLACEHOLDER implementation over ImmutableDictionary: the API below is
/// the contract; the CHAMP implementation replaces the body without changing the signatures.
namespace CoolCache.Core.Collections

open System.Collections.Generic
open System.Collections.Immutable

[<Sealed>]
type HashMap<'K, 'V> internal (comparer: IEqualityComparer<'K>, d: ImmutableDictionary<'K, 'V>) =
    member _.Comparer = comparer
    member internal _.Dict = d
    /// O(1).
    member _.Count = d.Count
    member _.IsEmpty = d.IsEmpty

    /// O(log32 n).
    member _.TryFind(key: 'K) : 'V voption =
        match d.TryGetValue key with
        | true, v -> ValueSome v
        | _ -> ValueNone

    member _.ContainsKey(key: 'K) = d.ContainsKey key

    /// O(log32 n). Replaces an existing value.
    member _.Add(key: 'K, value: 'V) = HashMap(comparer, d.SetItem(key, value))

    /// O(log32 n). Returns this same instance when the key is absent.
    member this.Remove(key: 'K) =
        if d.ContainsKey key then HashMap(comparer, d.Remove key) else this

    /// Position of a hash in iteration order (the SCAN cursor space): bit-reversed 32-bit hash.
    static member internal Position(h: int) : uint32 =
        let mutable x = uint32 h
        let mutable r = 0u

        for _ in 0..31 do
            r <- (r <<< 1) ||| (x &&& 1u)
            x <- x >>> 1

        r

    /// Entries in iteration order (ascending Position of the key's hash).
    member _.ToSeq() : seq<struct ('K * 'V)> =
        d
        |> Seq.sortBy (fun kv -> HashMap<'K, 'V>.Position(comparer.GetHashCode kv.Key))
        |> Seq.map (fun kv -> struct (kv.Key, kv.Value))

module HashMap =
    /// The empty map for a comparer. O(1).
    let empty<'K, 'V> (comparer: IEqualityComparer<'K>) : HashMap<'K, 'V> =
        HashMap(comparer, ImmutableDictionary.Create<'K, 'V>(comparer))

    let inline count (m: HashMap<'K, 'V>) = m.Count
    let inline tryFind (key: 'K) (m: HashMap<'K, 'V>) = m.TryFind key
    let inline containsKey (key: 'K) (m: HashMap<'K, 'V>) = m.ContainsKey key
    let inline add (key: 'K) (value: 'V) (m: HashMap<'K, 'V>) = m.Add(key, value)
    let inline remove (key: 'K) (m: HashMap<'K, 'V>) = m.Remove key

    /// Upsert or delete in one step: f gets the current value (or ValueNone) and returns the new one
    /// (ValueNone deletes). O(log32 n).
    let change (key: 'K) (f: 'V voption -> 'V voption) (m: HashMap<'K, 'V>) =
        match f (m.TryFind key) with
        | ValueSome v -> m.Add(key, v)
        | ValueNone -> m.Remove key

    /// Entries in iteration order (stable for a given set of keys).
    let toSeq (m: HashMap<'K, 'V>) = m.ToSeq()

    let ofSeq (comparer: IEqualityComparer<'K>) (entries: seq<'K * 'V>) =
        entries |> Seq.fold (fun (acc: HashMap<'K, 'V>) (k, v) -> acc.Add(k, v)) (empty comparer)

    /// One SCAN step: from cursor (0 = start), returns at least `count` entries when that many remain
    /// (never splitting a group of equal-position entries) and the next cursor (0 = done). Every entry
    /// present for the whole scan is returned at least once, even if others are added or removed between
    /// calls. Cursor = (next position) + 1, as uint64.
    let scan (cursor: uint64) (count: int) (m: HashMap<'K, 'V>) : struct (uint64 * struct ('K * 'V)[]) =
        let start = if cursor = 0UL then 0UL else cursor - 1UL
        let pos (struct (k: 'K, _: 'V)) = uint64 (HashMap<'K, 'V>.Position(m.Comparer.GetHashCode k))

        let rest = m.ToSeq() |> Seq.filter (fun e -> pos e >= start) |> Seq.toArray
        let count = max 1 count

        if rest.Length <= count then
            struct (0UL, rest)
        else
            let lastPos = pos rest[count - 1]
            let taken = rest |> Array.takeWhile (fun e -> pos e <= lastPos)

            if taken.Length = rest.Length then
                struct (0UL, taken)
            else
                struct (lastPos + 2UL, taken)

    /// A pseudo-random entry chosen by seed (not necessarily uniform); ValueNone when empty. O(log32 n).
    let randomEntry (seed: uint64) (m: HashMap<'K, 'V>) : struct ('K * 'V) voption =
        if m.IsEmpty then
            ValueNone
        else
            let all = m.ToSeq() |> Seq.toArray
            ValueSome all[int (seed % uint64 all.Length)]
