/// The union of every value kind a key can hold, and the one place TYPE names and OBJECT ENCODING
/// names are decided (object.c: strEncoding, tryObjectEncoding thresholds).
namespace CoolCache.Core.Values

open CoolCache.Core

/// A stored value. String encodings mirror Redis's so OBJECT ENCODING reports familiar names.
[<RequireQualifiedAccess>]
type Value =
    /// A string whose encoding follows its content: "int" (≤ 20 chars, an int64), "embstr" (≤ 44 bytes), "raw".
    | String of Bytes
    /// A string modified in place (APPEND, SETRANGE on an existing value): always "raw".
    | RawString of Bytes
    /// A string made from a number (INCRBYFLOAT): "embstr" (≤ 44 bytes) or "raw", never "int".
    | EmbString of Bytes
    /// A copy of a String (COPY duplicates the object): same encoding, never a shared integer.
    | UnsharedString of Bytes
    /// A hash: "listpack" while small, then "hashtable" (RedisHash.fs).
    | Hash of RedisHash
    /// A set: "intset" or "hashtable" (RedisSet.Intset).
    | Set of RedisSet
    /// A list: always "quicklist" (Redis 7.0 has no small-list encoding).
    | List of RedisList
    /// A sorted set: "listpack" while small, then "skiplist" (RedisSortedSet.fs).
    | SortedSet of RedisSortedSet
    /// A stream: always "stream" (RedisStream.fs); an empty stream stays a key.
    | Stream of RedisStream

module Value =
    /// Redis's OBJ_SHARED_INTEGERS: integer strings below this are shared objects.
    let sharedIntegers = 10000L

    /// The name TYPE replies with.
    let typeName (v: Value) =
        match v with
        | Value.String _
        | Value.RawString _
        | Value.EmbString _
        | Value.UnsharedString _ -> "string"
        | Value.Hash _ -> "hash"
        | Value.Set _ -> "set"
        | Value.List _ -> "list"
        | Value.SortedSet _ -> "zset"
        | Value.Stream _ -> "stream"

    let private isIntEncodable (b: Bytes) =
        b.Length <= 20 && (Numbers.tryParseInt64 b).IsSome

    /// The name OBJECT ENCODING replies with.
    let encoding (v: Value) =
        match v with
        | Value.String b
        | Value.UnsharedString b when isIntEncodable b -> "int"
        | Value.String b
        | Value.UnsharedString b
        | Value.EmbString b -> if b.Length <= 44 then "embstr" else "raw"
        | Value.RawString _ -> "raw"
        | Value.Hash h -> RedisHash.encoding h
        | Value.Set s -> if s.Intset then "intset" else "hashtable"
        | Value.List _ -> "quicklist"
        | Value.SortedSet z -> RedisSortedSet.encoding z
        | Value.Stream _ -> "stream"

    /// OBJECT REFCOUNT: shared small integers report INT_MAX, as in Redis.
    let refCount (v: Value) =
        match v with
        | Value.String b when isIntEncodable b ->
            let n = (Numbers.tryParseInt64 b).Value
            if n >= 0L && n < sharedIntegers then 2147483647L else 1L
        | _ -> 1L

    /// The value COPY stores: an equal value that is its own object.
    let duplicate (v: Value) =
        match v with
        | Value.String b -> Value.UnsharedString b
        | Value.Hash h -> Value.Hash(RedisHash.duplicate h)
        | Value.Set s -> Value.Set(RedisSet.copy s)
        // Owned edits change a list's nodes in place: the copy must share none of them.
        | Value.List l -> Value.List(RedisList.copy l)
        | Value.SortedSet z -> Value.SortedSet(RedisSortedSet.duplicate z)
        | Value.Stream x -> Value.Stream(RedisStream.copy x)
        | other -> other

    /// The bytes of a string value, or ValueNone for other kinds.
    let inline tryString (v: Value) =
        match v with
        | Value.String b
        | Value.RawString b
        | Value.EmbString b
        | Value.UnsharedString b -> ValueSome b
        | _ -> ValueNone
