/// One database: key → value, key → deadline, and the expiry index (db.c, expire.c). Reads honour
/// lazy expiry (an expired key reads as absent); writes and active expiry remove expired keys.
/// A live database carries an owner token: its maps are edited in place along paths that token
/// owns (HashMap.AddOwned), so a write costs no path copy. Whoever needs an old Db to stay as it was
/// (a snapshot) must first give the live one a fresh owner (Db.freeze); Db.empty has no owner and
/// is fully persistent.
namespace CoolCache.Core.Keyspace

open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Values

type Db =
    {
        Keys: HashMap<Bytes, Value>
        Expires: HashMap<Bytes, int64>
        Index: ExpiryIndex
        /// The token of in-place edits (null: persistent edits only).
        Owner: obj
        /// Replaying an append-only file (Redis's server.loading): nothing counts as expired, so commands
        /// replay as they ran; the keys past their deadline go after loading, as usual.
        Loading: bool
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
    /// A persistent empty database (every write copies its path).
    let empty: Db =
        {
            Keys = HashMap.empty BytesComparer.Instance
            Expires = HashMap.empty BytesComparer.Instance
            Index = ExpiryIndex.empty
            Owner = null
            Loading = false
        }

    /// A new live database whose writes edit in place what it owns.
    let create () = { empty with Owner = obj () }

    /// A new live empty database in place of db (FLUSHDB): loading if db was.
    let cleared (db: Db) = { create () with Loading = db.Loading }

    /// The same contents under a fresh owner: the Db passed in (and everything sharing its nodes)
    /// is never edited in place again. O(1).
    let freeze (db: Db) =
        if isNull db.Owner then db else { db with Owner = obj () }

    /// The key's deadline (unix ms), whether or not it has passed.
    let inline deadline (key: Bytes) (db: Db) = db.Expires.TryFind key

    /// Whether a deadline at has passed at now (never while loading): the one test of expiry.
    let inline expiresBy (now: int64) (at: int64) (db: Db) = at <= now && not db.Loading

    let inline private isExpired (now: int64) (key: Bytes) (db: Db) =
        if db.Expires.IsEmpty || db.Loading then
            false
        else
            match db.Expires.TryFind key with
            | ValueSome at -> at <= now
            | ValueNone -> false

    /// Whether the key is still stored past its deadline (expired, not yet removed). O(log32 n).
    let isStale (now: int64) (key: Bytes) (db: Db) = isExpired now key db

    /// The live value of a key (lazy expiry: an expired key is absent). O(log32 n).
    let tryGet (now: int64) (key: Bytes) (db: Db) : Value voption =
        match db.Keys.TryFind key with
        | ValueSome _ when isExpired now key db -> ValueNone
        | v -> v

    /// Whether the key is live.
    let exists (now: int64) (key: Bytes) (db: Db) = (tryGet now key db).IsSome

    /// Remove a key (live or expired) and its deadline.
    let remove (key: Bytes) (db: Db) : Db =
        let keys = db.Keys.RemoveOwned(db.Owner, key)

        // RemoveOwned returns the same map when the key is absent.
        if obj.ReferenceEquals(keys, db.Keys) then
            db
        else

            match db.Expires.TryFind key with
            | ValueSome at ->
                { db with
                    Keys = keys
                    Expires = db.Expires.RemoveOwned(db.Owner, key)
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
            Expires = db.Expires.AddOwned(db.Owner, key, at)
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
                    Expires = db.Expires.RemoveOwned(db.Owner, key)
                    Index = ExpiryIndex.remove at key db.Index
                }
            | ValueNone -> db

    /// Write string values with no deadline for argv[first], argv[first+1], argv[first+2]... (MSET):
    /// one Db for the lot instead of one per key.
    let setStrings (argv: Bytes[]) (first: int) (db: Db) : Db =
        let mutable keys = db.Keys
        let mutable db = db
        let mutable i = first

        while i + 1 < argv.Length do
            keys <- keys.AddOwned(db.Owner, argv[i], Value.String argv[i + 1])

            if not db.Expires.IsEmpty && db.Expires.ContainsKey argv[i] then
                db <- clearDeadline argv[i] { db with Keys = keys }

            i <- i + 2

        { db with Keys = keys }

    /// Write a value; ttl says what happens to the deadline. An expired previous value counts as absent.
    let set (now: int64) (key: Bytes) (value: Value) (ttl: Ttl) (db: Db) : Db =
        let db =
            match ttl with
            | Ttl.Keep when isExpired now key db -> clearDeadline key db
            | _ -> db

        let db =
            { db with
                Keys = db.Keys.AddOwned(db.Owner, key, value)
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
