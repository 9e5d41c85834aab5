/// Hash values (t_hash.c): field → value over the persistent HashMap, and Redis 7.0's encoding rule.
/// Writes take the database's owner token: nodes stamped with it are edited in place (HashMap.AddOwned),
/// so a hash must never share nodes with another key (COPY uses `duplicate`).
namespace CoolCache.Core.Values

open System.Collections.Generic
open CoolCache.Core
open CoolCache.Core.Collections

/// A hash value. OBJECT ENCODING is "listpack" until a write leaves more than hash-max-listpack-entries
/// fields or writes a field or value longer than hash-max-listpack-value bytes, then "hashtable" for good.
[<Struct>]
type RedisHash =
    {
        Fields: HashMap<Bytes, Bytes>
        /// Converted to "hashtable" (one-way, as in Redis).
        Big: bool
    }

/// The listpack thresholds in force when a write happens (hash-max-listpack-entries / -value).
[<Struct>]
type HashLimits = { MaxEntries: int64; MaxValue: int64 }

module RedisHash =
    /// The empty hash (persistent: its root is never edited in place).
    let empty =
        {
            Fields = HashMap.empty BytesComparer.Instance
            Big = false
        }

    /// Number of fields. O(1).
    let inline count (h: RedisHash) = h.Fields.Count

    /// The value of a field. O(log32 n).
    let inline tryGet (field: Bytes) (h: RedisHash) = h.Fields.TryFind field

    /// O(log32 n).
    let inline contains (field: Bytes) (h: RedisHash) = h.Fields.ContainsKey field

    /// The name OBJECT ENCODING replies with.
    let encoding (h: RedisHash) =
        if h.Big then "hashtable" else "listpack"

    /// Set a field (hashTypeSet), editing nodes stamped with `owner` in place (null: persistent). Returns
    /// the new hash and whether the field is new. Converts when the field or value is longer than the
    /// value limit or the hash now has more fields than the entries limit. O(log32 n).
    let set (owner: obj) (limits: HashLimits) (field: Bytes) (value: Bytes) (h: RedisHash) : struct (RedisHash * bool) =
        let before = h.Fields.Count
        let fields = h.Fields.AddOwned(owner, field, value)

        let big =
            h.Big
            || int64 field.Length > limits.MaxValue
            || int64 value.Length > limits.MaxValue
            || int64 fields.Count > limits.MaxEntries

        struct ({ Fields = fields; Big = big }, fields.Count > before)

    /// Remove a field, editing nodes stamped with `owner` in place. Returns the new hash and whether the
    /// field was there. The encoding never converts back. O(log32 n).
    let remove (owner: obj) (field: Bytes) (h: RedisHash) : struct (RedisHash * bool) =
        let fields = h.Fields.RemoveOwned(owner, field)

        if obj.ReferenceEquals(fields, h.Fields) then
            struct (h, false)
        else
            struct ({ h with Fields = fields }, true)

    /// An equal hash with nodes of its own (COPY): the two can then be edited in place independently.
    /// O(n log n).
    let duplicate (h: RedisHash) =
        let entries = Array.zeroCreate<Bytes * Bytes> h.Fields.Count
        let mutable i = 0

        for struct (f, v) in h.Fields.ToSeq() do
            entries[i] <- (f, v)
            i <- i + 1

        {
            Fields = HashMap.ofSeq BytesComparer.Instance entries
            Big = h.Big
        }

    /// Every field and value in iteration (hash) order. O(n).
    let entries (h: RedisHash) : struct (Bytes * Bytes)[] =
        let result = Array.zeroCreate h.Fields.Count
        let mutable i = 0

        for e in h.Fields.ToSeq() do
            result[i] <- e
            i <- i + 1

        result

    /// One HSCAN step over the hash order (see HashMap.scan): the next cursor (0 = done) and the entries.
    let scan (cursor: uint64) (count: int) (h: RedisHash) = HashMap.scan cursor count h.Fields

    /// SplitMix64: the next state and a well-mixed output.
    let inline private next (state: byref<uint64>) =
        state <- state + 0x9E3779B97F4A7C15UL
        let z = state
        let z = (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
        let z = (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
        z ^^^ (z >>> 31)

    /// A pseudo-random entry chosen by seed; ValueNone when empty. O(log32 n).
    let randomEntry (seed: uint64) (h: RedisHash) = HashMap.randomEntry seed h.Fields

    /// n entries drawn independently (repeats possible), in draw order (HRANDFIELD with a negative count).
    /// The hash must not be empty. O(n log32 size).
    let randomEntries (seed: uint64) (n: int) (h: RedisHash) : struct (Bytes * Bytes)[] =
        let mutable state = seed
        let result = Array.zeroCreate n

        for i in 0 .. n - 1 do
            result[i] <- (HashMap.randomEntry (next &state) h.Fields).Value

        result

    /// n entries of a partial Fisher-Yates shuffle of every entry. O(size).
    let private shuffled (seed: uint64) (n: int) (h: RedisHash) =
        let mutable state = seed
        let all = entries h

        for i in 0 .. n - 1 do
            let j = i + int ((next &state) % uint64 (all.Length - i))
            let t = all[i]
            all[i] <- all[j]
            all[j] <- t

        Array.sub all 0 n

    /// n distinct entries (n below the size) in random order (HRANDFIELD with a positive count). Few of
    /// many: repeated draws until n distinct (O(n log32 size) expected); otherwise a partial shuffle of
    /// every entry (O(size)), as Redis switches strategy at count * 3 > size.
    let randomDistinct (seed: uint64) (n: int) (h: RedisHash) : struct (Bytes * Bytes)[] =
        if int64 n * 3L > int64 h.Fields.Count then
            shuffled seed n h
        else
            let mutable state = seed
            let seen = HashSet<Bytes>(BytesComparer.Instance)
            let result = ResizeArray<struct (Bytes * Bytes)>(n)
            // The draws are not uniform (they descend the trie), so bound them and fall back to a shuffle.
            let mutable budget = 64 * n + 1024

            while result.Count < n && budget > 0 do
                let struct (f, _) as e = (HashMap.randomEntry (next &state) h.Fields).Value

                if seen.Add f then
                    result.Add e

                budget <- budget - 1

            if result.Count = n then
                result.ToArray()
            else
                shuffled (next &state) n h
