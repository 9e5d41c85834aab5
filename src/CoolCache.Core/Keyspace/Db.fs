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
        /// Whether keys carry access stamps (Access below): only under an LRU or LFU maxmemory-policy
        /// (World.stampsAccess), the policies that rank keys by them. Otherwise a write touches no
        /// second map and OBJECT IDLETIME answers 0. Db.withStamps switches.
        Stamped: bool
        /// Per key, its last access and LFU counter (Access.fs), when Stamped (empty otherwise). Lookups
        /// update an entry in place whoever shares the node (Db.touch): access stamps are not data, a
        /// snapshot may see later ones.
        Access: HashMap<Bytes, int64>
        /// Per key holding a collection, its value's estimate when last written (strings are sized
        /// from their bytes); Used subtracts it when the key changes or goes.
        Sizes: HashMap<Bytes, Memory.CollectionSize>
        /// The bytes estimated for every key, value and deadline stored (Memory.fs), kept exactly.
        Used: int64
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
            Stamped = false
            Access = HashMap.empty BytesComparer.Instance
            Sizes = HashMap.empty BytesComparer.Instance
            Used = 0L
        }

    /// A new live database whose writes edit in place what it owns; stamped: its keys carry access stamps.
    let create (stamped: bool) =
        { empty with
            Owner = obj ()
            Stamped = stamped
        }

    /// A new live empty database in place of db (FLUSHDB): loading and stamped if db was.
    let cleared (db: Db) =
        { create db.Stamped with
            Loading = db.Loading
        }

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

    /// The bytes the key's stored value is accounted at: a string from its bytes, a collection as it
    /// was estimated when last written.
    let private accounted (key: Bytes) (v: Value) (sizes: HashMap<Bytes, Memory.CollectionSize>) =
        if Memory.isString v then
            Memory.valueBytes v
        else
            match sizes.TryFind key with
            | ValueSome n -> n.Bytes
            | ValueNone -> 0L

    /// Remove a key (live or expired) and its deadline.
    let remove (key: Bytes) (db: Db) : Db =
        match db.Keys.TryFind key with
        | ValueNone -> db
        | ValueSome old ->
            let used = db.Used - Memory.keyBytes db.Stamped key - accounted key old db.Sizes
            let keys = db.Keys.RemoveOwned(db.Owner, key)

            let access =
                if db.Stamped then
                    db.Access.RemoveOwned(db.Owner, key)
                else
                    db.Access

            let sizes =
                if Memory.isString old then
                    db.Sizes
                else
                    db.Sizes.RemoveOwned(db.Owner, key)

            match db.Expires.TryFind key with
            | ValueSome at ->
                { db with
                    Keys = keys
                    Expires = db.Expires.RemoveOwned(db.Owner, key)
                    Index = ExpiryIndex.remove at key db.Index
                    Access = access
                    Sizes = sizes
                    Used = used - Memory.DeadlineBytes
                }
            | ValueNone ->
                { db with
                    Keys = keys
                    Access = access
                    Sizes = sizes
                    Used = used
                }

    /// Set a key's deadline (the key must exist).
    let setDeadline (key: Bytes) (at: int64) (db: Db) : Db =
        let struct (index, used) =
            match db.Expires.TryFind key with
            | ValueSome old -> struct (ExpiryIndex.remove old key db.Index, db.Used)
            | ValueNone -> struct (db.Index, db.Used + Memory.DeadlineBytes)

        { db with
            Expires = db.Expires.AddOwned(db.Owner, key, at)
            Index = ExpiryIndex.add at key index
            Used = used
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
                    Used = db.Used - Memory.DeadlineBytes
                }
            | ValueNone -> db

    /// Store value at key in the maps passed by reference: the key map (one walk when the path is
    /// owned), when stamped the access entry of a new key (or of one stored past its deadline: Redis
    /// deletes that one on lookup and adds a new key), the estimate of a collection, and the bytes used.
    /// replaceKey: the key object given replaces the stored one (HashMap.TryReplaceOwned).
    let private write
        (owner: obj)
        (stamped: bool)
        (replaceKey: bool)
        (now: int64)
        (key: Bytes)
        (value: Value)
        (expires: HashMap<Bytes, int64>)
        (keys: byref<HashMap<Bytes, Value>>)
        (access: byref<HashMap<Bytes, int64>>)
        (sizes: byref<HashMap<Bytes, Memory.CollectionSize>>)
        (used: byref<int64>)
        =
        let mutable storedKey = null
        let mutable old = Unchecked.defaultof<Value>

        let exchanged =
            if replaceKey then
                keys.TryReplaceOwned(owner, key, value, &old)
            else
                keys.TryExchangeOwned(owner, key, value, &storedKey, &old)

        let existed =
            if exchanged = 1 then
                true
            else
                let existed =
                    exchanged < 0
                    && (match keys.TryFind key with
                        | ValueSome v ->
                            old <- v
                            true
                        | ValueNone -> false)

                keys <- keys.AddOwned(owner, key, value)
                existed

        let isString = Memory.isString value
        let oldCollection = existed && not (Memory.isString old)
        let mutable slots = null

        // a collection written over a collection: its estimate read and replaced in one walk when owned
        let slot =
            if oldCollection && not isString then
                sizes.TryFindOwnedSlot(owner, key, &slots)
            else
                -1

        let oldBytes =
            if not existed then
                0L
            elif slot >= 0 then
                (let struct (_, p) = slots[slot] in p.Bytes)
            else
                accounted key old sizes

        let bytes =
            if isString then
                Memory.valueBytes value
            elif slot >= 0 then
                let struct (k, p) = slots[slot]
                let size = Memory.collectionSize (ValueSome p) value
                slots[slot] <- struct (k, size)
                size.Bytes
            else
                let previous = if oldCollection then sizes.TryFind key else ValueNone
                let size = Memory.collectionSize previous value
                sizes <- sizes.AddOwned(owner, key, size)
                size.Bytes

        if oldCollection && isString then
            sizes <- sizes.RemoveOwned(owner, key)

        if existed then
            used <- used + bytes - oldBytes

            if stamped && not expires.IsEmpty then
                match expires.TryFind key with
                | ValueSome at when at <= now -> access <- access.AddOwned(owner, key, Access.created now)
                | _ -> ()
        else
            used <- used + bytes + Memory.keyBytes stamped key

            if stamped then
                access <- access.AddOwned(owner, key, Access.created now)

    /// Write string values with no deadline for argv[first], argv[first+1], argv[first+2]... (MSET):
    /// one Db for the lot instead of one per key.
    let setStrings (now: int64) (argv: Bytes[]) (first: int) (db: Db) : Db =
        let mutable keys = db.Keys
        let mutable access = db.Access
        let mutable sizes = db.Sizes
        let mutable used = db.Used
        let mutable db = db
        let mutable i = first

        while i + 1 < argv.Length do
            // a deadline is cleared below, so only the access map may hold the stored key object
            write
                db.Owner
                db.Stamped
                (not db.Stamped)
                now
                argv[i]
                (Value.String argv[i + 1])
                db.Expires
                &keys
                &access
                &sizes
                &used

            if not db.Expires.IsEmpty && db.Expires.ContainsKey argv[i] then
                db <-
                    clearDeadline
                        argv[i]
                        { db with
                            Keys = keys
                            Access = access
                            Sizes = sizes
                            Used = used
                        }

                used <- db.Used

            i <- i + 2

        { db with
            Keys = keys
            Access = access
            Sizes = sizes
            Used = used
        }

    /// Write a value; ttl says what happens to the deadline. An expired previous value counts as absent.
    let set (now: int64) (key: Bytes) (value: Value) (ttl: Ttl) (db: Db) : Db =
        let db =
            match ttl with
            | Ttl.Keep when isExpired now key db -> clearDeadline key db
            | _ -> db

        let mutable keys = db.Keys
        let mutable access = db.Access
        let mutable sizes = db.Sizes
        let mutable used = db.Used

        // The fresh key object goes in beside the fresh value (a read finds both in nearby memory) unless
        // another map keeps the stored one: the access map, a collection's estimate, a deadline kept.
        let replaceKey =
            not db.Stamped
            && Memory.isString value
            && (match ttl with
                | Ttl.Keep -> db.Expires.IsEmpty || not (db.Expires.ContainsKey key)
                | _ -> true)

        write db.Owner db.Stamped replaceKey now key value db.Expires &keys &access &sizes &used

        let db =
            { db with
                Keys = keys
                Access = access
                Sizes = sizes
                Used = used
            }

        match ttl with
        | Ttl.Keep -> db
        | Ttl.Clear -> clearDeadline key db
        | Ttl.At at -> setDeadline key at db

    /// The key's access stamp and LFU counter (Access.fs), if it is stored.
    let inline access (key: Bytes) (db: Db) = db.Access.TryFind key

    /// Replace a stored key's access in place (shared nodes included: see Db.Access). O(log32 n).
    let setAccess (key: Bytes) (value: int64) (db: Db) =
        let mutable entries = null
        let i = db.Access.TryFindSlot(key, &entries)

        if i >= 0 then
            let struct (k, _) = entries[i]
            entries[i] <- struct (k, value)

    /// A lookup of key at now under an LRU (or no) policy (db.c lookupKey): its stamp moves, its
    /// counter stays. In place, no allocation; nothing when it is absent or was stamped this ms.
    let touchLru (now: int64) (key: Bytes) (db: Db) =
        let mutable entries = null
        let i = db.Access.TryFindSlot(key, &entries)

        if i >= 0 then
            let struct (k, a) = entries[i]

            if Access.stampMs a <> now then
                entries[i] <- struct (k, Access.pack now (Access.counter a))

    /// A lookup of key at now under an LFU policy (updateLFU): the counter decays, then may grow (seed
    /// draws the chance), and the stamp moves. In place, no allocation; nothing when it is absent.
    let touchLfu (factor: int64) (decayTime: int64) (seed: uint64) (now: int64) (key: Bytes) (db: Db) =
        let mutable entries = null
        let i = db.Access.TryFindSlot(key, &entries)

        if i >= 0 then
            let struct (k, a) = entries[i]
            entries[i] <- struct (k, Access.touched true factor decayTime seed now a)

    /// Rebuild the access entries when stamped (every key accessed at now), the collection estimates and
    /// the bytes used from the keys and deadlines alone (after an RDB load filled the maps directly). O(n).
    let account (now: int64) (db: Db) : Db =
        let stamp = Access.created now
        let collections = ResizeArray<struct (Bytes * Memory.CollectionSize)>()
        let mutable used = 0L

        // one pass over the keys for the sizes; the access map is the key map's shape with one stamp
        for struct (key, value) in db.Keys.ToSeq() do
            let bytes =
                if Memory.isString value then
                    Memory.valueBytes value
                else
                    let size = Memory.collectionSize ValueNone value
                    collections.Add(struct (key, size))
                    size.Bytes

            used <- used + Memory.keyBytes db.Stamped key + bytes

        { db with
            Access =
                if db.Stamped then
                    HashMap.mapValues (fun _ _ -> stamp) db.Keys
                else
                    empty.Access
            Sizes = HashMap.ofArray BytesComparer.Instance (collections.ToArray())
            Used = used + int64 db.Expires.Count * Memory.DeadlineBytes
        }

    /// Keys carry access stamps (every key accessed at now) or no longer do: the access map is built or
    /// dropped, its entries counted in Used or no longer. The same Db when nothing changes. O(n) to start.
    let withStamps (now: int64) (stamped: bool) (db: Db) : Db =
        if db.Stamped = stamped then
            db
        elif stamped then
            let stamp = Access.created now

            { db with
                Stamped = true
                Access = HashMap.mapValues (fun _ _ -> stamp) db.Keys
                Used = db.Used + int64 db.Keys.Count * Memory.Entry
            }
        else
            { db with
                Stamped = false
                Access = empty.Access
                Used = db.Used - int64 db.Keys.Count * Memory.Entry
            }

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
