/// RDB bytes → values and databases (rdb.c rdbLoadObject / rdbLoadRioWithLoadingCtx) for every encoding
/// Redis writes in RDB versions 1 to 12 except modules: strings (raw, integer, LZF), lists (linked,
/// ziplist, quicklist 1 and 2), sets (plain, intset, listpack), sorted sets (zset, zset2, ziplist,
/// listpack), hashes (plain, zipmap, ziplist, listpack), streams (listpacks 1 to 3, with consumer groups). A bad byte anywhere is an error that
/// says at which offset; nothing half-read is ever returned as if whole.
module CoolCache.Core.Rdb.RdbReader

open System
open System.Buffers.Binary
open System.Text
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Values
open CoolCache.Core.Rdb.RdbFormat
open CoolCache.Core.Rdb.RdbInput
open CoolCache.Core.Rdb.RdbStreamReader

/// Why a file or payload was refused, and where.
type RdbError = { Offset: int64; Message: string }


/// The thresholds that decide the encodings of loaded collections (the server's config).
type RdbLimits =
    {
        Hash: HashLimits
        MaxIntsetEntries: int64
        SortedSet: SortedSetLimits
    }

// ---- ziplist, listpack, intset, zipmap: blobs inside a string ------------------------------------

/// The entries of a ziplist (ziplist.c), as strings.
let private ziplistEntries (blob: Bytes) (at: int64) : Bytes[] =
    let fail (m: string) : 'a = raise (Corrupt(at, "ziplist: " + m))

    if blob.Length < 11 then
        fail "too short"

    let total = BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, 0, 4))

    if int64 total <> int64 blob.Length then
        fail "header length does not match"

    let items = ResizeArray<Bytes>()
    let mutable p = 10

    while p < blob.Length && blob[p] <> 0xFFuy do
        // previous entry length: 1 byte, or 0xFE and 4 bytes
        p <- p + (if blob[p] = 0xFEuy then 5 else 1)

        if p >= blob.Length then
            fail "truncated entry"

        let e = blob[p]

        let need (n: int) =
            if p + n > blob.Length then
                fail "truncated entry"

        match e >>> 6 with
        | 0uy ->
            let n = int (e &&& 0x3fuy)
            need (1 + n)
            items.Add(Array.sub blob (p + 1) n)
            p <- p + 1 + n
        | 1uy ->
            need 2
            let n = (int (e &&& 0x3fuy) <<< 8) ||| int blob[p + 1]
            need (2 + n)
            items.Add(Array.sub blob (p + 2) n)
            p <- p + 2 + n
        | 2uy ->
            need 5
            let n = int (BinaryPrimitives.ReadUInt32BigEndian(ReadOnlySpan(blob, p + 1, 4)))
            need (5 + n)
            items.Add(Array.sub blob (p + 5) n)
            p <- p + 5 + n
        | _ ->
            let addInt (v: int64) = items.Add(Numbers.formatInt64 v)

            match e with
            | 0xC0uy ->
                need 3
                addInt (int64 (BinaryPrimitives.ReadInt16LittleEndian(ReadOnlySpan(blob, p + 1, 2))))
                p <- p + 3
            | 0xD0uy ->
                need 5
                addInt (int64 (BinaryPrimitives.ReadInt32LittleEndian(ReadOnlySpan(blob, p + 1, 4))))
                p <- p + 5
            | 0xE0uy ->
                need 9
                addInt (BinaryPrimitives.ReadInt64LittleEndian(ReadOnlySpan(blob, p + 1, 8)))
                p <- p + 9
            | 0xF0uy ->
                need 4

                let v =
                    (int blob[p + 1])
                    ||| (int blob[p + 2] <<< 8)
                    ||| (int (sbyte blob[p + 3]) <<< 16)

                addInt (int64 v)
                p <- p + 4
            | 0xFEuy ->
                need 2
                addInt (int64 (sbyte blob[p + 1]))
                p <- p + 2
            | _ when e >= 0xF1uy && e <= 0xFDuy ->
                addInt (int64 (e &&& 0x0fuy) - 1L)
                p <- p + 1
            | _ -> fail (sprintf "unknown entry encoding %d" e)

    if p >= blob.Length then
        fail "missing end marker"

    items.ToArray()

/// The entries of a listpack (listpack.c), as strings.
let private listpackEntries (blob: Bytes) (at: int64) : Bytes[] =
    let fail (m: string) : 'a = raise (Corrupt(at, "listpack: " + m))

    if blob.Length < 7 then
        fail "too short"

    let total = BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, 0, 4))

    if int64 total <> int64 blob.Length then
        fail "header length does not match"

    let items = ResizeArray<Bytes>()
    let mutable p = 6

    let backlen (l: int) =
        if l <= 127 then 1
        elif l < 16383 then 2
        elif l < 2097151 then 3
        elif l < 268435455 then 4
        else 5

    while p < blob.Length && blob[p] <> 0xFFuy do
        let e = blob[p]

        let need (n: int) =
            if p + n > blob.Length then
                fail "truncated entry"

        let str (header: int) (n: int) =
            need (header + n)
            items.Add(Array.sub blob (p + header) n)
            let l = header + n
            p <- p + l + backlen l

        let num (size: int) (v: int64) =
            items.Add(Numbers.formatInt64 v)
            p <- p + size + backlen size

        if e &&& 0x80uy = 0uy then
            num 1 (int64 e)
        elif e &&& 0xC0uy = 0x80uy then
            str 1 (int (e &&& 0x3fuy))
        elif e &&& 0xE0uy = 0xC0uy then
            need 2
            let v = ((int (e &&& 0x1fuy) <<< 8) ||| int blob[p + 1])
            // 13-bit two's complement
            num 2 (int64 (if v >= 4096 then v - 8192 else v))
        elif e &&& 0xF0uy = 0xE0uy then
            need 2
            str 2 (((int (e &&& 0x0fuy)) <<< 8) ||| int blob[p + 1])
        else
            match e with
            | 0xF0uy ->
                need 5
                str 5 (int (BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, p + 1, 4))))
            | 0xF1uy ->
                need 3
                num 3 (int64 (BinaryPrimitives.ReadInt16LittleEndian(ReadOnlySpan(blob, p + 1, 2))))
            | 0xF2uy ->
                need 4

                let v =
                    (int blob[p + 1])
                    ||| (int blob[p + 2] <<< 8)
                    ||| (int (sbyte blob[p + 3]) <<< 16)

                num 4 (int64 v)
            | 0xF3uy ->
                need 5
                num 5 (int64 (BinaryPrimitives.ReadInt32LittleEndian(ReadOnlySpan(blob, p + 1, 4))))
            | 0xF4uy ->
                need 9
                num 9 (BinaryPrimitives.ReadInt64LittleEndian(ReadOnlySpan(blob, p + 1, 8)))
            | _ -> fail (sprintf "unknown entry encoding %d" e)

        if p > blob.Length then
            fail "truncated entry"

    if p >= blob.Length then
        fail "missing end marker"

    items.ToArray()

/// The members of an intset (intset.c), as strings.
let private intsetMembers (blob: Bytes) (at: int64) : Bytes[] =
    let fail (m: string) : 'a = raise (Corrupt(at, "intset: " + m))

    if blob.Length < 8 then
        fail "too short"

    let width = int (BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, 0, 4)))
    let n = int (BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, 4, 4)))

    if width <> 2 && width <> 4 && width <> 8 then
        fail (sprintf "invalid encoding %d" width)

    if 8L + int64 n * int64 width <> int64 blob.Length then
        fail "length does not match"

    Array.init n (fun k ->
        let s = ReadOnlySpan(blob, 8 + k * width, width)

        let v =
            match width with
            | 2 -> int64 (BinaryPrimitives.ReadInt16LittleEndian s)
            | 4 -> int64 (BinaryPrimitives.ReadInt32LittleEndian s)
            | _ -> BinaryPrimitives.ReadInt64LittleEndian s

        Numbers.formatInt64 v)

/// The field/value pairs of a zipmap (zipmap.c, RDB_TYPE_HASH_ZIPMAP), flattened.
let private zipmapEntries (blob: Bytes) (at: int64) : Bytes[] =
    let fail (m: string) : 'a = raise (Corrupt(at, "zipmap: " + m))
    let items = ResizeArray<Bytes>()
    let mutable p = 1

    let readLen () =
        if p >= blob.Length then
            fail "truncated"

        let b = blob[p]

        if b < 254uy then
            p <- p + 1
            int b
        elif b = 254uy then
            if p + 5 > blob.Length then
                fail "truncated"

            let n = int (BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(blob, p + 1, 4)))
            p <- p + 5
            n
        else
            fail "unexpected end marker"

    while p < blob.Length && blob[p] <> 255uy do
        let klen = readLen ()

        if p + klen > blob.Length then
            fail "truncated"

        items.Add(Array.sub blob p klen)
        p <- p + klen
        let vlen = readLen ()

        if p + 1 + vlen > blob.Length then
            fail "truncated"

        let free = int blob[p]
        items.Add(Array.sub blob (p + 1) vlen)
        p <- p + 1 + vlen + free

    if p >= blob.Length then
        fail "missing end marker"

    items.ToArray()

// ---- values --------------------------------------------------------------------------------------

let private pairsToHash (limits: RdbLimits) (flat: Bytes[]) (i: Input) =
    if flat.Length % 2 <> 0 then
        i.Fail "a hash with an odd number of elements"

    let owner = obj ()
    let mutable h = RedisHash.empty

    for k in 0..2 .. flat.Length - 1 do
        let struct (h', isNew) = RedisHash.set owner limits.Hash flat[k] flat[k + 1] h

        if not isNew then
            i.Fail "a hash with a duplicate field"

        h <- h'

    Value.Hash h

let private membersToSet (limits: RdbLimits) (members: Bytes[]) (i: Input) =
    let s = RedisSet.ofMembers (obj ()) limits.MaxIntsetEntries members

    if int64 s.Members.Count <> int64 members.Length then
        i.Fail "a set with a duplicate member"

    Value.Set s

let private entriesToZset (limits: RdbLimits) (entries: ScoredMember[]) (i: Input) =
    for e in entries do
        if Double.IsNaN e.Score then
            i.Fail "a sorted set score is NaN"

    let sorted = Array.copy entries
    Array.Sort(sorted, ScoreOrder.Instance)
    let z = RedisSortedSet.ofSorted limits.SortedSet sorted

    if RedisSortedSet.count z <> entries.Length then
        i.Fail "a sorted set with a duplicate member"

    Value.SortedSet z

let private flatToZset (limits: RdbLimits) (flat: Bytes[]) (i: Input) =
    if flat.Length % 2 <> 0 then
        i.Fail "a sorted set with an odd number of elements"

    let entries =
        Array.init (flat.Length / 2) (fun k ->
            match Numbers.tryParseDouble flat[2 * k + 1] with
            | ValueSome d -> { Score = d; Member = flat[2 * k] }
            | ValueNone -> i.Fail "a sorted set score that is not a number")

    entriesToZset limits entries i


/// rdbLoadObject for one value of the given type.
let private readValue (i: Input) (limits: RdbLimits) (t: byte) : Value =
    match t with
    | TypeString -> Value.String(readString i)
    | TypeList ->
        let n = readCount i "list"
        nonEmpty i n
        Value.List(RedisList.ofArray (Array.init n (fun _ -> readString i)))
    | TypeSet ->
        let n = readCount i "set"
        nonEmpty i n
        membersToSet limits (Array.init n (fun _ -> readString i)) i
    | TypeZset
    | TypeZset2 ->
        let n = readCount i "sorted set"
        nonEmpty i n

        let entries =
            Array.init n (fun _ ->
                let m = readString i

                {
                    Member = m
                    Score =
                        if t = TypeZset then
                            readTextDouble i
                        else
                            readBinaryDouble i
                })

        entriesToZset limits entries i
    | TypeHash ->
        let n = readCount i "hash"
        nonEmpty i n
        pairsToHash limits (Array.init (2 * n) (fun _ -> readString i)) i
    | TypeHashZipmap ->
        let at = int64 i.Pos
        pairsToHash limits (zipmapEntries (readString i) at) i
    | TypeListZiplist ->
        let at = int64 i.Pos
        let items = ziplistEntries (readString i) at
        nonEmpty i items.Length
        Value.List(RedisList.ofArray items)
    | TypeSetIntset ->
        let at = int64 i.Pos
        let members = intsetMembers (readString i) at
        nonEmpty i members.Length
        membersToSet limits members i
    | TypeSetListpack ->
        let at = int64 i.Pos
        let members = listpackEntries (readString i) at
        nonEmpty i members.Length
        membersToSet limits members i
    | TypeZsetZiplist ->
        let at = int64 i.Pos
        flatToZset limits (ziplistEntries (readString i) at) i
    | TypeZsetListpack ->
        let at = int64 i.Pos
        flatToZset limits (listpackEntries (readString i) at) i
    | TypeHashZiplist ->
        let at = int64 i.Pos
        pairsToHash limits (ziplistEntries (readString i) at) i
    | TypeHashListpack ->
        let at = int64 i.Pos
        pairsToHash limits (listpackEntries (readString i) at) i
    | TypeListQuicklist
    | TypeListQuicklist2 ->
        let nodes = readCount i "quicklist node"
        let items = ResizeArray<Bytes>()

        for _ in 1..nodes do
            let container =
                if t = TypeListQuicklist2 then
                    readLength i
                else
                    QuicklistPacked

            let at = int64 i.Pos
            let blob = readString i

            if container = QuicklistPlain then
                items.Add blob
            elif t = TypeListQuicklist then
                items.AddRange(ziplistEntries blob at)
            else
                items.AddRange(listpackEntries blob at)

        nonEmpty i items.Count
        Value.List(RedisList.ofArray (items.ToArray()))
    | TypeStreamListpacks
    | TypeStreamListpacks2
    | TypeStreamListpacks3 -> readStream i t
    | TypeModule
    | TypeModule2 -> i.Fail "module values are not supported"
    | other -> i.Fail(sprintf "unknown value type %d" other)

/// RESTORE's payload check and decode: the footer's RDB version must be one we read and its CRC-64 must
/// match (verifyDumpPayload); Error "version" or "checksum" or the decode failure.
type PayloadError =
    | BadVersionOrChecksum
    | BadFormat of RdbError

let restore (limits: RdbLimits) (payload: Bytes) : Result<Value, PayloadError> =
    if payload.Length < 10 then
        Error BadVersionOrChecksum
    else
        let footer = payload.Length - 10

        let version =
            int (BinaryPrimitives.ReadUInt16LittleEndian(ReadOnlySpan(payload, footer, 2)))

        let crc =
            BinaryPrimitives.ReadUInt64LittleEndian(ReadOnlySpan(payload, footer + 2, 8))

        if
            version > readVersion
            || Crc64.compute (ReadOnlySpan(payload, 0, footer + 2)) <> crc
        then
            Error BadVersionOrChecksum
        else
            let i = Input(payload, 0, footer)

            try
                let t = i.Byte()
                let v = readValue i limits t

                if i.Remaining <> 0 then
                    i.Fail "trailing bytes after the value"

                Ok v
            with Corrupt(at, m) ->
                Error(BadFormat { Offset = at; Message = m })

/// One key as read from a file.
type RdbEntry =
    {
        Db: int
        Key: Bytes
        Value: Value
        /// Unix ms, or -1 for none.
        ExpireAtMs: int64
    }

/// A whole file's contents.
type RdbFile =
    {
        Version: int
        Aux: (string * Bytes) list
        Entries: RdbEntry[]
    }

/// Read a whole RDB file: the header, every record, EOF and (version 5 and later) the CRC-64, which is
/// checked unless it is zero (rdbchecksum no). Each key goes to onEntry (db, key, value, deadline ms or
/// -1) as it is read; any problem refuses the whole file (the caller must then drop what it was given).
/// Returns the version and the AUX fields.
let readFileWith
    (limits: RdbLimits)
    (data: byte[])
    (onEntry: int -> Bytes -> Value -> int64 -> unit)
    : Result<int * (string * Bytes) list, RdbError> =
    let i = Input(data, 0, data.Length)

    try
        let magic = i.Span 9

        if not (magic.Slice(0, 5).SequenceEqual("REDIS"B)) then
            i.Fail "not an RDB file (no REDIS signature)"

        let version =
            match Int32.TryParse(Encoding.ASCII.GetString(magic.Slice 5)) with
            | true, v when v >= 1 && v <= readVersion -> v
            | true, v -> raise (Corrupt(5L, sprintf "can't handle RDB format version %d" v))
            | _ -> raise (Corrupt(5L, "bad RDB version field"))

        let aux = ResizeArray<string * Bytes>()
        let mutable db = 0
        let mutable expireAt = -1L
        let mutable fin = false

        while not fin do
            let op = i.Byte()

            match op with
            | OpEof -> fin <- true
            | OpSelectDb ->
                let n = readLength i

                if n > 1_000_000L then
                    i.Fail(sprintf "database number %d out of range" n)

                db <- int n
            | OpResizeDb ->
                readLength i |> ignore
                readLength i |> ignore
            | OpExpireTimeMs -> expireAt <- BinaryPrimitives.ReadInt64LittleEndian(i.Span 8)
            | OpExpireTime -> expireAt <- int64 (BinaryPrimitives.ReadInt32LittleEndian(i.Span 4)) * 1000L
            | OpAux ->
                let name = readString i
                let value = readString i
                aux.Add(Encoding.Latin1.GetString name, value)
            | OpFreq -> i.Byte() |> ignore
            | OpIdle -> readLength i |> ignore
            | OpModuleAux -> i.Fail "module auxiliary data is not supported"
            | OpFunction
            | OpFunction2 -> i.Fail "functions are not supported"
            | t ->
                let key = readString i
                let value = readValue i limits t

                onEntry db key value expireAt

                expireAt <- -1L

        if version >= 5 then
            let at = i.Pos
            let expected = Crc64.compute (ReadOnlySpan(data, 0, at))
            let stored = BinaryPrimitives.ReadUInt64LittleEndian(i.Span 8)

            if stored <> 0UL && stored <> expected then
                raise (Corrupt(int64 at, "wrong RDB checksum"))

        Ok(version, List.ofSeq aux)
    with Corrupt(at, m) ->
        Error { Offset = at; Message = m }

/// Read a whole RDB file into memory (see readFileWith).
let readFile (limits: RdbLimits) (data: byte[]) : Result<RdbFile, RdbError> =
    let entries = ResizeArray<RdbEntry>()

    readFileWith limits data (fun db key value expireAt ->
        entries.Add
            {
                Db = db
                Key = key
                Value = value
                ExpireAtMs = expireAt
            })
    |> Result.map (fun (version, aux) ->
        {
            Version = version
            Aux = aux
            Entries = entries.ToArray()
        })
