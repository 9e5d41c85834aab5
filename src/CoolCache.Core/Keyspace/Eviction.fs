/// maxmemory eviction over the databases (evict.c performEvictions and evictionPoolPopulate), pure: the
/// seed draws the samples. Until the bytes freed reach the bytes asked for, pick a key and remove it:
/// the random policies take a random key (of a database that has candidates), the others keep a pool
/// of the 16 best candidates, refilled with maxmemory-samples keys sampled from every database, and
/// take the best one still there (LRU: idlest, LFU: lowest decayed counter, TTL: nearest deadline).
/// The allkeys-* policies sample every key, the volatile-* ones the keys with a deadline. A database
/// with no more candidates than the sample size gives all of them, as Redis's dictGetSomeKeys does.
/// Freed bytes are the Db.Used estimate each removal takes away (Memory.fs), so "enough" is exact.
module CoolCache.Core.Keyspace.Eviction

open System
open System.Collections.Generic
open CoolCache.Core
open CoolCache.Core.Collections

/// maxmemory-policy.
[<RequireQualifiedAccess>]
type Policy =
    | NoEviction
    | AllKeysLru
    | AllKeysLfu
    | AllKeysRandom
    | VolatileLru
    | VolatileLfu
    | VolatileRandom
    | VolatileTtl

module Policy =
    /// The policy a maxmemory-policy name stands for (the names Config accepts).
    let parse (name: string) =
        match name with
        | "allkeys-lru" -> Policy.AllKeysLru
        | "allkeys-lfu" -> Policy.AllKeysLfu
        | "allkeys-random" -> Policy.AllKeysRandom
        | "volatile-lru" -> Policy.VolatileLru
        | "volatile-lfu" -> Policy.VolatileLfu
        | "volatile-random" -> Policy.VolatileRandom
        | "volatile-ttl" -> Policy.VolatileTtl
        | _ -> Policy.NoEviction

    /// MAXMEMORY_FLAG_LFU: lookups count accesses, OBJECT FREQ answers, OBJECT IDLETIME refuses.
    let isLfuName (name: string) =
        name.Length > 3 && name[name.Length - 1] = 'u' && name[name.Length - 2] = 'f'

    /// The allkeys-* policies (the others evict keys with a deadline only).
    let allKeys (p: Policy) =
        match p with
        | Policy.AllKeysLru
        | Policy.AllKeysLfu
        | Policy.AllKeysRandom -> true
        | _ -> false

    /// allkeys-random and volatile-random.
    let random (p: Policy) =
        p = Policy.AllKeysRandom || p = Policy.VolatileRandom

/// INFO used_memory, what maxmemory is compared with: the start-up figure and every database's
/// estimate (Memory.fs). O(databases).
let usedMemory (dbs: Db[]) =
    let mutable sum = Memory.Startup

    for db in dbs do
        sum <- sum + db.Used

    sum

/// What one eviction run may do.
type Settings =
    {
        Policy: Policy
        /// maxmemory-samples: keys sampled per database for each refill of the pool.
        Samples: int
        /// lfu-decay-time, for the LFU ranking.
        LfuDecayTime: int64
        /// Most keys removed in one run (Redis bounds a run by time, maxmemory-eviction-tenacity); a run
        /// stopped by it counts as enough, as Redis's EVICT_RUNNING does.
        MaxKeys: int
    }

/// The outcome of a run: the databases after it (Dbs is the array passed in when nothing went), the
/// keys removed in order with their database, the bytes freed, and whether that was enough (false:
/// noeviction, or no candidate left: the caller answers OOM to commands that would use memory).
type Outcome =
    {
        Dbs: Db[]
        Evicted: struct (int * Bytes) list
        Freed: int64
        Enough: bool
    }

/// EVPOOL_SIZE.
[<Literal>]
let PoolSize = 16

[<Struct>]
type private Candidate = { Score: uint64; Db: int; Key: Bytes }

/// The pool, best candidate last (evictionPoolPopulate's order).
type private Pool() =
    let items = List<Candidate>(PoolSize + 1)

    member _.Count = items.Count

    /// Insert in score order unless the pool is full of better ones; a key already there stays once.
    member _.Offer(c: Candidate) =
        let mutable present = false

        for x in items do
            if x.Db = c.Db && Bytes.equals x.Key c.Key then
                present <- true

        if not present then
            let mutable at = 0

            while at < items.Count && items[at].Score < c.Score do
                at <- at + 1

            if not (at = 0 && items.Count = PoolSize) then
                items.Insert(at, c)

                if items.Count > PoolSize then
                    items.RemoveAt 0

    /// Take the best candidate out.
    member _.Pop() =
        let c = items[items.Count - 1]
        items.RemoveAt(items.Count - 1)
        c

/// How good a candidate a key is: the higher, the sooner it goes.
let private score (settings: Settings) (now: int64) (db: Db) (key: Bytes) (deadline: int64) =
    match settings.Policy with
    | Policy.VolatileTtl -> UInt64.MaxValue - uint64 (max 0L deadline)
    | Policy.AllKeysLfu
    | Policy.VolatileLfu ->
        let c =
            match Db.access key db with
            | ValueSome a -> Access.decayed settings.LfuDecayTime now a
            | ValueNone -> 0L

        uint64 (255L - c)
    | _ ->
        match Db.access key db with
        | ValueSome a -> uint64 (max 0L (now - Access.stampMs a))
        | ValueNone -> uint64 now

/// Sample one database into the pool: all of its candidates when there are no more than Samples.
let private populate (settings: Settings) (now: int64) (next: unit -> uint64) (index: int) (db: Db) (pool: Pool) =
    let offer (key: Bytes) (deadline: int64) =
        pool.Offer
            {
                Score = score settings now db key deadline
                Db = index
                Key = key
            }

    if Policy.allKeys settings.Policy then
        if db.Keys.Count <= settings.Samples then
            for struct (key, _) in db.Keys.ToSeq() do
                offer key 0L
        else
            for _ in 1 .. settings.Samples do
                match HashMap.randomEntry (next ()) db.Keys with
                | ValueSome(struct (key, _)) -> offer key 0L
                | ValueNone -> ()
    elif db.Expires.Count <= settings.Samples then
        for struct (key, at) in db.Expires.ToSeq() do
            offer key at
    else
        for _ in 1 .. settings.Samples do
            match HashMap.randomEntry (next ()) db.Expires with
            | ValueSome(struct (key, at)) -> offer key at
            | ValueNone -> ()

/// The keys a policy may evict in a database.
let private candidates (policy: Policy) (db: Db) =
    if Policy.allKeys policy then
        db.Keys.Count
    else
        db.Expires.Count

let private stillThere (policy: Policy) (db: Db) (key: Bytes) =
    if Policy.allKeys policy then
        db.Keys.ContainsKey key
    else
        db.Expires.ContainsKey key

/// The next key to evict from the pool, refilling it from every database while it holds only keys
/// already gone; ValueNone when no database has a candidate.
let private pickPooled (settings: Settings) (now: int64) (next: unit -> uint64) (dbs: Db[]) (pool: Pool) =
    let mutable pick = ValueNone
    let mutable searching = true

    while searching do
        let mutable total = 0

        for i in 0 .. dbs.Length - 1 do
            let n = candidates settings.Policy dbs[i]

            if n > 0 then
                total <- total + n
                populate settings now next i dbs[i] pool

        if total = 0 then
            searching <- false
        else
            while searching && pool.Count > 0 do
                let c = pool.Pop()

                if stillThere settings.Policy dbs[c.Db] c.Key then
                    pick <- ValueSome(struct (c.Db, c.Key))
                    searching <- false

    pick

/// A random candidate of the first database with any, starting from a random one.
let private pickRandom (policy: Policy) (next: unit -> uint64) (dbs: Db[]) =
    let start = int (next () % uint64 dbs.Length)
    let mutable pick = ValueNone
    let mutable i = 0

    while pick.IsNone && i < dbs.Length do
        let index = (start + i) % dbs.Length
        let db = dbs[index]

        if Policy.allKeys policy then
            match HashMap.randomEntry (next ()) db.Keys with
            | ValueSome(struct (key, _)) -> pick <- ValueSome(struct (index, key))
            | ValueNone -> ()
        else
            match HashMap.randomEntry (next ()) db.Expires with
            | ValueSome(struct (key, _)) -> pick <- ValueSome(struct (index, key))
            | ValueNone -> ()

        i <- i + 1

    pick

/// Evict until toFree bytes (by the Db.Used estimate) are freed. The databases passed in are not
/// changed; removals edit the maps their owners own, as any write does. O(k × (databases × samples)).
let perform (settings: Settings) (now: int64) (seed: uint64) (toFree: int64) (dbs: Db[]) : Outcome =
    if toFree <= 0L then
        {
            Dbs = dbs
            Evicted = []
            Freed = 0L
            Enough = true
        }
    elif settings.Policy = Policy.NoEviction then
        {
            Dbs = dbs
            Evicted = []
            Freed = 0L
            Enough = false
        }
    else
        let mutable draws = 0UL

        let next () =
            draws <- draws + 1UL
            seed + draws * 0x9E3779B97F4A7C15UL

        let out = Array.copy dbs
        let pool = Pool()
        let mutable freed = 0L
        let mutable evicted = []
        let mutable count = 0
        let mutable finished = false
        let mutable enough = true

        while not finished do
            if freed >= toFree || count >= settings.MaxKeys then
                finished <- true
            else
                let pick =
                    if Policy.random settings.Policy then
                        pickRandom settings.Policy next out
                    else
                        pickPooled settings now next out pool

                match pick with
                | ValueSome(struct (index, key)) ->
                    let before = out[index].Used
                    out[index] <- Db.remove key out[index]
                    freed <- freed + (before - out[index].Used)
                    evicted <- struct (index, key) :: evicted
                    count <- count + 1
                | ValueNone ->
                    enough <- false
                    finished <- true

        {
            Dbs = (if count = 0 then dbs else out)
            Evicted = List.rev evicted
            Freed = freed
            Enough = enough
        }
