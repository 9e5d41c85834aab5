/// The exact expiry index: keys ordered by deadline (then key bytes), so active expiry removes exactly
/// the keys that are due instead of sampling (Redis samples; we can afford exactness).
namespace CoolCache.Core.Keyspace

open System.Collections.Generic
open System.Collections.Immutable
open CoolCache.Core

[<Struct; CustomEquality; NoComparison>]
type ExpiryItem =
    {
        At: int64
        Key: Bytes
    }

    override this.Equals(o) =
        match o with
        | :? ExpiryItem as e -> e.At = this.At && Bytes.equals e.Key this.Key
        | _ -> false

    override this.GetHashCode() =
        Bytes.hash this.Key ^^^ this.At.GetHashCode()

[<Sealed>]
type private ExpiryOrder() =
    static member val Instance = ExpiryOrder()

    interface IComparer<ExpiryItem> with
        member _.Compare(a, b) =
            let c = compare a.At b.At
            if c <> 0 then c else Bytes.compare a.Key b.Key

/// Persistent set of (deadline, key). O(log n) add/remove; due keys in deadline order.
type ExpiryIndex = ImmutableSortedSet<ExpiryItem>

module ExpiryIndex =
    let empty: ExpiryIndex = ImmutableSortedSet.Create<ExpiryItem>(ExpiryOrder.Instance)

    /// O(log n).
    let add (at: int64) (key: Bytes) (index: ExpiryIndex) = index.Add { At = at; Key = key }

    /// O(log n).
    let remove (at: int64) (key: Bytes) (index: ExpiryIndex) = index.Remove { At = at; Key = key }

    /// Keys whose deadline is at or before now, earliest first, at most limit of them. O(log n + k).
    let due (now: int64) (limit: int) (index: ExpiryIndex) : Bytes list =
        let mutable acc = []
        let mutable n = 0
        let mutable e = index.GetEnumerator()

        while n < limit && e.MoveNext() && e.Current.At <= now do
            acc <- e.Current.Key :: acc
            n <- n + 1

        e.Dispose()
        List.rev acc

    /// The earliest deadline, if any. O(log n).
    let next (index: ExpiryIndex) : int64 voption =
        if index.IsEmpty then ValueNone else ValueSome index.Min.At
