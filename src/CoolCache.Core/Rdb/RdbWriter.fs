/// Values and databases → RDB bytes (rdb.c rdbSaveObject / rdbSaveRio), version 10, loadable by Redis 7.0
/// and later. Collections are written in the plain encodings every Redis 7 loads (list of strings, set,
/// zset2, hash), which Redis re-encodes by its own thresholds as it loads them.
module CoolCache.Core.Rdb.RdbWriter

open System
open System.Buffers.Binary
open System.IO
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Values
open CoolCache.Core.Keyspace
open CoolCache.Core.Rdb.RdbFormat

/// A buffered sink that keeps the running CRC-64 of everything written.
[<Sealed>]
type RdbOutput(stream: Stream) =
    let buffer = Array.zeroCreate<byte> 65536
    let mutable used = 0
    let mutable crc = 0UL
    let mutable total = 0L

    member _.Crc = crc
    member _.Written = total + int64 used

    member this.Flush() =
        if used > 0 then
            crc <- Crc64.update crc (ReadOnlySpan(buffer, 0, used))
            stream.Write(buffer, 0, used)
            total <- total + int64 used
            used <- 0

    member this.Byte(b: byte) =
        if used = buffer.Length then
            this.Flush()

        buffer[used] <- b
        used <- used + 1

    member this.Bytes(data: ReadOnlySpan<byte>) =
        if data.Length > buffer.Length - used then
            this.Flush()

        if data.Length > buffer.Length then
            crc <- Crc64.update crc data
            stream.Write data
            total <- total + int64 data.Length
        else
            data.CopyTo(buffer.AsSpan(used))
            used <- used + data.Length

/// rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit big-endian lengths.
let writeLength (o: RdbOutput) (n: int64) =
    if n < 64L then
        o.Byte(byte n)
    elif n < 16384L then
        o.Byte(byte ((n >>> 8) ||| 0x40L))
        o.Byte(byte n)
    elif n <= 0xffffffffL then
        o.Byte 0x80uy
        let b = Array.zeroCreate<byte> 4
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(), uint32 n)
        o.Bytes(ReadOnlySpan b)
    else
        o.Byte 0x81uy
        let b = Array.zeroCreate<byte> 8
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(), n)
        o.Bytes(ReadOnlySpan b)

/// A string that is a canonical integer fitting 32 bits is written in 2 to 5 bytes (rdbTryIntegerEncoding).
let private tryIntegerEncoding (o: RdbOutput) (s: Bytes) =
    if s.Length = 0 || s.Length > 11 then
        false
    else
        match Numbers.tryParseInt64 s with
        | ValueSome v when Bytes.equals (Numbers.formatInt64 v) s ->
            if v >= -128L && v <= 127L then
                o.Byte(0xC0uy ||| byte EncInt8)
                o.Byte(byte (sbyte v))
                true
            elif v >= -32768L && v <= 32767L then
                o.Byte(0xC0uy ||| byte EncInt16)
                o.Byte(byte v)
                o.Byte(byte (v >>> 8))
                true
            elif v >= -2147483648L && v <= 2147483647L then
                o.Byte(0xC0uy ||| byte EncInt32)
                o.Byte(byte v)
                o.Byte(byte (v >>> 8))
                o.Byte(byte (v >>> 16))
                o.Byte(byte (v >>> 24))
                true
            else
                false
        | _ -> false

/// rdbSaveRawString: integer encoding when possible, LZF for strings over 20 bytes when compress is set.
let writeString (o: RdbOutput) (compress: bool) (s: Bytes) =
    if not (tryIntegerEncoding o s) then
        let compressed =
            if compress && s.Length > 20 then
                Lzf.compress (ReadOnlySpan s)
            else
                None

        match compressed with
        | Some c ->
            o.Byte(0xC0uy ||| byte EncLzf)
            writeLength o (int64 c.Length)
            writeLength o (int64 s.Length)
            o.Bytes(ReadOnlySpan c)
        | None ->
            writeLength o (int64 s.Length)
            o.Bytes(ReadOnlySpan s)

/// A score as 8 little-endian bytes (rdbSaveBinaryDoubleValue).
let private writeDouble (o: RdbOutput) (d: float) =
    let b = Array.zeroCreate<byte> 8
    BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(), d)
    o.Bytes(ReadOnlySpan b)

/// The type byte of a value as this writer stores it.
let typeOf (v: Value) =
    match v with
    | Value.String _
    | Value.RawString _
    | Value.EmbString _
    | Value.UnsharedString _ -> TypeString
    | Value.List _ -> TypeList
    | Value.Set _ -> TypeSet
    | Value.SortedSet _ -> TypeZset2
    | Value.Hash _ -> TypeHash
    | Value.Stream _ -> TypeStreamListpacks2

/// The value's payload (after its type byte). Streams are not written yet (NotSupportedException: a
/// SAVE with a stream fails rather than drop it).
let writeValue (o: RdbOutput) (compress: bool) (v: Value) =
    match v with
    | Value.Stream _ -> raise (NotSupportedException "streams cannot be written to RDB files yet")
    | Value.String s
    | Value.RawString s
    | Value.EmbString s
    | Value.UnsharedString s -> writeString o compress s
    | Value.List l ->
        writeLength o (int64 (Tree.count l))
        Tree.iterRange 0 (Tree.count l) (writeString o compress) l
    | Value.Set s ->
        let members = RedisSet.toArray s
        writeLength o (int64 members.Length)

        for m in members do
            writeString o compress m
    | Value.SortedSet z ->
        let entries = RedisSortedSet.toArray z
        writeLength o (int64 entries.Length)

        // highest first, as Redis writes them (the loader then inserts at the head cheaply)
        for i in entries.Length - 1 .. -1 .. 0 do
            writeString o compress entries[i].Member
            writeDouble o entries[i].Score
    | Value.Hash h ->
        writeLength o (int64 h.Fields.Count)

        for struct (f, x) in h.Fields.ToSeq() do
            writeString o compress f
            writeString o compress x

/// DUMP's payload: type, value, RDB version (2 bytes LE), CRC-64 of all that (8 bytes LE).
let dump (v: Value) : byte[] =
    use ms = new MemoryStream()
    let o = RdbOutput(ms)
    o.Byte(typeOf v)
    writeValue o true v
    o.Byte(byte writeVersion)
    o.Byte 0uy
    o.Flush()
    let crc = o.Crc
    let footer = Array.zeroCreate<byte> 8
    BinaryPrimitives.WriteUInt64LittleEndian(footer.AsSpan(), crc)
    ms.Write(footer, 0, 8)
    ms.ToArray()

let private writeAux (o: RdbOutput) (name: string) (value: string) =
    o.Byte OpAux
    writeString o false (Bytes.ofString name)
    writeString o false (Bytes.ofString value)

/// A whole RDB file: header, AUX fields, each non-empty database (SELECTDB, RESIZEDB, then its live keys
/// with their deadlines), EOF and the CRC-64. Keys already expired at `now` are left out, as Redis does.
let writeFile (stream: Stream) (compress: bool) (aux: (string * string) list) (now: int64) (dbs: Db[]) =
    let o = RdbOutput(stream)
    o.Bytes(ReadOnlySpan(Text.Encoding.ASCII.GetBytes(sprintf "REDIS%04d" writeVersion)))

    for name, value in aux do
        writeAux o name value

    for i in 0 .. dbs.Length - 1 do
        let db = dbs[i]

        if db.Keys.Count > 0 then
            o.Byte OpSelectDb
            writeLength o (int64 i)
            o.Byte OpResizeDb
            writeLength o (int64 db.Keys.Count)
            writeLength o (int64 db.Expires.Count)

            for struct (key, value) in db.Keys.ToSeq() do
                let deadline = Db.deadline key db

                match deadline with
                | ValueSome at when at <= now -> ()
                | _ ->
                    match deadline with
                    | ValueSome at ->
                        o.Byte OpExpireTimeMs
                        let b = Array.zeroCreate<byte> 8
                        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(), at)
                        o.Bytes(ReadOnlySpan b)
                    | ValueNone -> ()

                    o.Byte(typeOf value)
                    writeString o compress key
                    writeValue o compress value

    o.Byte OpEof
    o.Flush()
    let footer = Array.zeroCreate<byte> 8
    BinaryPrimitives.WriteUInt64LittleEndian(footer.AsSpan(), o.Crc)
    stream.Write(footer, 0, 8)
    stream.Flush()
