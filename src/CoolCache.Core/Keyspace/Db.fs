/// One database: key → value, key → deadline, and the expiry index (db.c, expire.c). Reads honour
/// lazy expiry (an expired key reads as absent); writes and active expiry remove expired keys.
namespace CoolCache.Core.Keyspace

open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Values

type Db =
    {
        Keys: HashMap<Bytes, Value>
        Expires: HashMap<Bytes, int64>
        Index: ExpiryIndex
    }

/// What a write does to the key's time to live.
[<RequireQualifiedAccess>]
type Ttl =
    /// Remove any deadline (plain SET).
    | Clear
    /// Keep the current deadline (KEEPTTL, INCR, APPEND...).
    | Keep
    /// Expire at this unix time in ms.
    | At of int64

module Db =
    let empty: Db =
        {
            Keys = HashMap.empty BytesComparer.Instance
            Expires = HashMap.empty BytesComparer.Instance
            Index = ExpiryIndex.empty
        }

    /// The key's deadline (unix ms), whether or not it has passed.
    let inline deadline (key: Bytes) (db: Db) = db.Expires.TryFind key

    let inline private isExpired (now: int64) (key: Bytes) (db: Db) =
        if db.Expires.IsEmpty then
            false
        else
            match db.Expires.TryFind key with
            | ValueSome at -> at <= now
            | ValueNone -> false

    /// The live value of a key (lazy expiry: an expired key is absent). O(log32 n).
    let tryGet (now: int64) (key: Bytes) (db: Db) : Value voption =
        match db.Keys.TryFind key with
        | ValueSome _ when isExpired now key db -> ValueNone
        | v -> v

    /// Whether the key is live.
    let exists (now: int64) (key: Bytes) (db: Db) = (tryGet now key db).IsSome

    /// Remove a key (live or expired) and its deadline.
    let remove (key: Bytes) (db: Db) : Db =
        let keys = db.Keys.Remove key

        if obj.ReferenceEquals(keys, db.Keys) then
            db
        else
            match db.Expires.TryFind key with
            | ValueSome at ->
                {
                    Keys = keys
                    Expires = db.Expires.Remove key
                    Index = ExpiryIndex.remove at key db.Index
                }
            | ValueNone -> { db with Keys = keys }

    /// Set a key's deadline (the key must exist).
    let setDeadline (key: Bytes) (at: int64) (db: Db) : Db =
        let index =
            match db.Expires.TryFind key with
            | ValueSome old -> ExpiryIndex.remove old key db.Index
            | ValueNone -> db.Index

        { db with
            Expires = db.Expires.Add(key, at)
            Index = ExpiryIndex.add at key index
        }

    /// Remove a key's deadline; the same Db when it had none.
    let clearDeadline (key: Bytes) (db: Db) : Db =
        if db.Expires.IsEmpty then
            db
        else

            match db.Expires.TryFind key with
            | ValueSome at ->
                { db with
                    Expires = db.Expires.Remove key
                    Index = ExpiryIndex.remove at key db.Index
                }
            | ValueNone -> db

    /// Write a value; ttl says what happens to the deadline. An expired previous value counts as absent.
    let set (now: int64) (key: Bytes) (value: Value) (ttl: Ttl) (db: Db) : Db =
        let db =
            match ttl with
            | Ttl.Keep when isExpired now key db -> clearDeadline key db
            | _ -> db

        let db =
            { db with
                Keys = db.Keys.Add(key, value)
            }

        match ttl with
        | Ttl.Keep -> db
        | Ttl.Clear -> clearDeadline key db
        | Ttl.At at -> setDeadline key at db

    /// Keys stored, including expired ones not yet reclaimed. O(1).
    let count (db: Db) = db.Keys.Count

    /// Keys alive at now: stored keys less those past their deadline. O(log n + expired).
    let liveCount (now: int64) (db: Db) =
        if db.Index.IsEmpty then
            db.Keys.Count
        else
            db.Keys.Count - (ExpiryIndex.due now System.Int32.MaxValue db.Index).Length

    /// Remove up to limit keys whose deadline has passed; returns the new Db and the keys removed.
    let removeExpired (now: int64) (limit: int) (db: Db) : Db * Bytes list =
        match ExpiryIndex.due now limit db.Index with
        | [] -> db, []
        | keys -> (keys |> List.fold (fun d k -> remove k d) db), keys
