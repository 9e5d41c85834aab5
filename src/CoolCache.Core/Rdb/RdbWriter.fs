/// Values and databases → RDB bytes (rdb.c rdbSaveObject / rdbSaveRio), version 10, loadable by Redis 7.0
/// and later. Collections are written in the plain encodings every Redis 7 loads (list of strings, set,
/// zset2, hash), which Redis re-encodes by its own thresholds as it loads them; streams as Redis 7.0
/// writes them (listpack nodes and consumer groups, RDB_TYPE_STREAM_LISTPACKS_2).
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

// ---- streams -------------------------------------------------------------------------------------

/// A listpack being built (listpack.c's element encodings, each followed by its back-length); one
/// builder serves node after node.
[<Sealed>]
type private ListpackBuilder() =
    let mutable buf = Array.zeroCreate<byte> 4096
    let mutable len = 6
    let mutable count = 0

    let ensure (n: int) =
        if len + n > buf.Length then
            let bigger = Array.zeroCreate<byte>(max (buf.Length * 2) (len + n))
            Buffer.BlockCopy(buf, 0, bigger, 0, len)
            buf <- bigger

    /// lpEncodeBacklen: the element's encoded size, 7 bits a byte, most significant first.
    let backlen (encoded: int) =
        let n =
            if encoded <= 127 then 1
            elif encoded < 16383 then 2
            elif encoded < 2097151 then 3
            elif encoded < 268435455 then 4
            else 5

        for k in 0 .. n - 1 do
            let bits = byte ((encoded >>> (7 * (n - 1 - k))) &&& 127)
            buf[len + k] <- if k = 0 then bits else bits ||| 128uy

        len <- len + n
        count <- count + 1

    member _.Reset() =
        len <- 6
        count <- 0

    /// An integer in the smallest encoding that holds it (lpEncodeIntegerGetType).
    member _.Int(v: int64) =
        ensure 14
        let start = len

        if v >= 0L && v <= 127L then
            buf[len] <- byte v
            len <- len + 1
        elif v >= -4096L && v <= 4095L then
            let u = if v < 0L then 8192L + v else v
            buf[len] <- byte (u >>> 8) ||| 0xC0uy
            buf[len + 1] <- byte u
            len <- len + 2
        elif v >= -32768L && v <= 32767L then
            buf[len] <- 0xF1uy
            BinaryPrimitives.WriteInt16LittleEndian(buf.AsSpan(len + 1), int16 v)
            len <- len + 3
        elif v >= -8388608L && v <= 8388607L then
            buf[len] <- 0xF2uy
            buf[len + 1] <- byte v
            buf[len + 2] <- byte (v >>> 8)
            buf[len + 3] <- byte (v >>> 16)
            len <- len + 4
        elif v >= -2147483648L && v <= 2147483647L then
            buf[len] <- 0xF3uy
            BinaryPrimitives.WriteInt32LittleEndian(buf.AsSpan(len + 1), int32 v)
            len <- len + 5
        else
            buf[len] <- 0xF4uy
            BinaryPrimitives.WriteInt64LittleEndian(buf.AsSpan(len + 1), v)
            len <- len + 9

        backlen (len - start)

    /// A string element of n bytes: s, or n filler bytes when s is null; never integer-encoded.
    member _.Text(n: int, s: Bytes) =
        ensure (n + 10)
        let start = len

        if n < 64 then
            buf[len] <- 0x80uy ||| byte n
            len <- len + 1
        elif n < 4096 then
            buf[len] <- 0xE0uy ||| byte (n >>> 8)
            buf[len + 1] <- byte n
            len <- len + 2
        else
            buf[len] <- 0xF0uy
            BinaryPrimitives.WriteInt32LittleEndian(buf.AsSpan(len + 1), n)
            len <- len + 5

        if isNull s then
            buf.AsSpan(len, n).Fill('x'B)
        else
            Buffer.BlockCopy(s, 0, buf, len, n)

        len <- len + n
        backlen (len - start)

    /// A string as lpAppend stores it: as an integer when it is one (lpStringToInt64).
    member this.String(s: Bytes) =
        match
            (if s.Length > 0 && s.Length < 21 then
                 Numbers.tryParseInt64 s
             else
                 ValueNone)
        with
        | ValueSome v -> this.Int v
        | ValueNone -> this.Text(s.Length, s)

    /// The finished listpack: end marker, total bytes and element count (65535: unknown) in the header.
    member _.Finish() : byte[] =
        ensure 1
        buf[len] <- 0xFFuy
        len <- len + 1
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(0, 4), uint32 len)
        BinaryPrimitives.WriteUInt16LittleEndian(buf.AsSpan(4, 2), uint16 (min count 65535))
        Array.sub buf 0 len

/// The size of a string element of n bytes that is not an integer, back-length included.
let private textSize (n: int) =
    let encoded =
        n
        + (if n < 64 then 1
           elif n < 4096 then 2
           else 5)

    encoded
    + (if encoded <= 127 then 1
       elif encoded < 16383 then 2
       elif encoded < 2097151 then 3
       elif encoded < 268435455 then 4
       else 5)

/// The string length whose element takes exactly size bytes (-1 when none does: sizes between
/// encodings, such as 66).
let private textLengthFor (size: int) =
    let mutable found = -1
    let mutable n = max 0 (size - 10)

    while found < 0 && n <= size - 2 do
        if textSize n = size then
            found <- n

        n <- n + 1

    found

/// Two string lengths whose elements take total bytes together, or ValueNone.
let private splitText (total: int) =
    let mutable found = ValueNone
    let mutable a = 2

    while found.IsNone && a <= min 80 (total - 2) do
        let x = textLengthFor a
        let y = textLengthFor (total - a)

        if x >= 0 && y >= 0 then
            found <- ValueSome(struct (x, y))

        a <- a + 1

    found

/// How the stand-in for a deleted entry is written: with the master's fields (its m values, of these
/// string lengths) or with one field and value of its own (two lengths).
[<Struct>]
type private DeletedEntry =
    {
        SameFields: bool
        Lengths: int[]
        IdDelta: struct (int64 * int64)
    }

/// A node's listpack. Redis keeps a deleted entry's bytes until its node goes, and they count toward
/// stream-node-max-bytes; RedisStream keeps only how many there are, the last ID written and the
/// node's size. So each deleted entry is written as a stand-in flagged deleted (its ID the master ID,
/// where no iterator, trim or lookup stops differently) and one of them, sized so that the listpack
/// has the node's exact size, ends the node with its last ID when that is after the last live entry:
/// Redis then has the same live entries, counters, size and last ID, and so trims and appends alike.
let private nodeListpack (lp: ListpackBuilder) (node: StreamNode) (live: StreamEntry[]) =
    let master = node.MasterId
    let m = node.Master.Length / 2
    lp.Reset()
    lp.Int(int64 node.Live)
    lp.Int(int64 node.Deleted)
    lp.Int(int64 m)

    let mutable fixedBytes =
        Listpack.Empty + Listpack.intSize (int64 m) + Listpack.intSize 0L

    for k in 0 .. m - 1 do
        lp.String node.Master[2 * k]
        fixedBytes <- fixedBytes + Listpack.stringSize node.Master[2 * k]

    lp.Int 0L

    // (the live entries' sizes matter only when there are deleted entries to size)
    if node.Deleted > 0 then
        for e in live do
            fixedBytes <-
                fixedBytes
                + RedisStream.entryBytes master (RedisStream.sameFields node.Master e.Fields) e.Id e.Fields

    // the bytes the deleted entries took
    let deletedBytes = node.Body - fixedBytes
    let k = node.Deleted
    let lastLive = if live.Length > 0 then live[live.Length - 1].Id else master
    let needTail = k > 0 && StreamId.compare node.LastId lastLive > 0

    let sameMin =
        if m >= 1 then
            6 + 2 * m + Listpack.intSize (int64 m + 3L)
        else
            Int32.MaxValue

    let plainMin = 14

    let minimal (delta: struct (int64 * int64)) =
        if sameMin <= plainMin then
            {
                SameFields = true
                Lengths = Array.zeroCreate m
                IdDelta = delta
            }
        else
            {
                SameFields = false
                Lengths = Array.zeroCreate 2
                IdDelta = delta
            }

    /// The deleted entry with this ID delta that takes exactly size bytes, else a minimal one.
    let sized (delta: struct (int64 * int64)) (size: int) =
        let struct (dms, dseq) = delta
        let ids = 2 + Listpack.intSize dms + Listpack.intSize dseq

        let same =
            if m = 0 then
                ValueNone
            else
                let adjustable = min m 2
                let need = size - ids - Listpack.intSize (int64 m + 3L) - 2 * (m - adjustable)

                let lengths =
                    if adjustable = 1 then
                        match textLengthFor need with
                        | -1 -> ValueNone
                        | n -> ValueSome [| n |]
                    else
                        match splitText need with
                        | ValueSome(struct (x, y)) -> ValueSome(Array.append [| x; y |] (Array.zeroCreate (m - 2)))
                        | ValueNone -> ValueNone

                lengths
                |> ValueOption.map (fun l ->
                    {
                        SameFields = true
                        Lengths = l
                        IdDelta = delta
                    })

        match same with
        | ValueSome e -> e
        | ValueNone ->
            match splitText (size - ids - Listpack.intSize 1L - Listpack.intSize 6L) with
            | ValueSome(struct (x, y)) ->
                {
                    SameFields = false
                    Lengths = [| x; y |]
                    IdDelta = delta
                }
            | ValueNone -> minimal delta

    let write (e: DeletedEntry) =
        let struct (dms, dseq) = e.IdDelta
        lp.Int(if e.SameFields then 3L else 1L)
        lp.Int dms
        lp.Int dseq

        if not e.SameFields then
            lp.Int 1L

        for n in e.Lengths do
            lp.Text(n, null)

        lp.Int(if e.SameFields then int64 m + 3L else 6L)

    let zero = struct (0L, 0L)
    let filler = minimal zero
    let fillerSize = min sameMin plainMin
    let adjustedSize = deletedBytes - (k - 1) * fillerSize

    if k > 0 && not needTail then
        write (sized zero adjustedSize)

    for _ in 2..k do
        write filler

    for e in live do
        let same = RedisStream.sameFields node.Master e.Fields
        let pairs = e.Fields.Length / 2
        lp.Int(if same then 2L else 0L)
        lp.Int(int64 (e.Id.Ms - master.Ms))
        lp.Int(int64 (e.Id.Seq - master.Seq))

        if not same then
            lp.Int(int64 pairs)

        for j in 0 .. pairs - 1 do
            if not same then
                lp.String e.Fields[2 * j]

            lp.String e.Fields[2 * j + 1]

        lp.Int(if same then int64 pairs + 3L else 2L * int64 pairs + 4L)

    if needTail then
        write (sized (struct (int64 (node.LastId.Ms - master.Ms), int64 (node.LastId.Seq - master.Seq))) adjustedSize)

    lp.Finish()

/// rdbSaveLen of an unsigned 64-bit number (IDs; -1 counters are written as 2^64 - 1).
let private writeULength (o: RdbOutput) (n: uint64) =
    if n <= uint64 Int64.MaxValue then
        writeLength o (int64 n)
    else
        let b = Array.zeroCreate<byte> 9
        b[0] <- 0x81uy
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(1), n)
        o.Bytes(ReadOnlySpan b)

let private writeRawId (o: RdbOutput) (id: StreamId) =
    let b = Array.zeroCreate<byte> 16
    BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(0, 8), id.Ms)
    BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(8, 8), id.Seq)
    o.Bytes(ReadOnlySpan b)

let private writeMs (o: RdbOutput) (ms: int64) =
    let b = Array.zeroCreate<byte> 8
    BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(), ms)
    o.Bytes(ReadOnlySpan b)

/// A stream record (rdbSaveObject) of type t: 19 (RDB_TYPE_STREAM_LISTPACKS_2, what Redis 7.0 writes
/// and this writer uses), or for tests and tools 15 (Redis 5 to 6.2: no first ID, deletion history or
/// entries-read) or 21 (Redis 7.2: each consumer's active time too, here its seen time).
let writeStreamAs (o: RdbOutput) (compress: bool) (t: byte) (s: RedisStream) =
    writeLength o (int64 s.Nodes.Count)
    let lp = ListpackBuilder()
    let key = Array.zeroCreate<byte> 16
    let mutable next = 0

    for node in s.Nodes do
        let live = Array.zeroCreate<StreamEntry> node.Live
        Tree.copyRange next node.Live live 0 s.Entries
        next <- next + node.Live
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(0, 8), node.MasterId.Ms)
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(8, 8), node.MasterId.Seq)
        writeString o compress key
        writeString o compress (nodeListpack lp node live)

    writeLength o (int64 (RedisStream.length s))
    writeULength o s.LastId.Ms
    writeULength o s.LastId.Seq

    if t <> TypeStreamListpacks then
        let first = RedisStream.firstId s
        writeULength o first.Ms
        writeULength o first.Seq
        writeULength o s.MaxDeletedId.Ms
        writeULength o s.MaxDeletedId.Seq
        writeULength o (uint64 s.EntriesAdded)

    writeLength o (int64 s.Groups.Count)

    for g in s.Groups do
        writeString o compress g.Name
        writeULength o g.LastId.Ms
        writeULength o g.LastId.Seq

        if t <> TypeStreamListpacks then
            writeULength o (uint64 g.EntriesRead)

        writeLength o (int64 g.Pel.Count)

        for p in g.Pel do
            writeRawId o p.Id
            writeMs o p.DeliveryTime
            writeULength o (uint64 p.DeliveryCount)

        writeLength o (int64 g.Consumers.Count)

        for c in g.Consumers do
            writeString o compress c.Name
            writeMs o c.SeenTime

            if t = TypeStreamListpacks3 then
                writeMs o c.SeenTime

            writeLength o (int64 c.Pending.Count)

            for id in c.Pending do
                writeRawId o id

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

/// The value's payload (after its type byte).
let writeValue (o: RdbOutput) (compress: bool) (v: Value) =
    match v with
    | Value.Stream s -> writeStreamAs o compress TypeStreamListpacks2 s
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
