/// A World as append-only-file commands (aof.c rewriteAppendOnlyFileRio, used when aof-use-rdb-preamble
/// is no): per database a SELECT, per key the commands that rebuild it (collections in batches of 64
/// items, as AOF_REWRITE_ITEMS_PER_CMD), then PEXPIREAT for a deadline. Streams are rebuilt with explicit
/// IDs, XSETID (last ID, entries added, max deleted ID), XGROUP CREATE with ENTRIESREAD, XGROUP
/// CREATECONSUMER and an XCLAIM per pending entry (delivery time and count kept).
module CoolCache.Core.Rdb.AofWriter

open System
open System.IO
open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Values
open CoolCache.Core.Keyspace

let private itemsPerCommand = 64

let private word (s: string) : Bytes = Text.Encoding.ASCII.GetBytes s
let private num (n: int64) = Numbers.formatInt64 n

/// One command as a RESP multibulk.
let private writeCommand (out: Stream) (argv: Bytes list) =
    let header (prefix: char) (n: int) =
        out.Write(Text.Encoding.ASCII.GetBytes(sprintf "%c%d\r\n" prefix n))

    header '*' argv.Length

    for a in argv do
        header '$' a.Length
        out.Write(a, 0, a.Length)
        out.Write("\r\n"B, 0, 2)

/// Items in commands of at most itemsPerCommand items each: name key item...
let private batched (out: Stream) (name: string) (key: Bytes) (items: Bytes list seq) =
    for chunk in Seq.chunkBySize itemsPerCommand items do
        writeCommand out (word name :: key :: (chunk |> Seq.concat |> List.ofSeq))

let private streamCommands (out: Stream) (key: Bytes) (s: RedisStream) =
    let id = StreamId.toBytes
    let entries = RedisStream.range StreamId.zero StreamId.max Int32.MaxValue false s

    if entries.Length = 0 then
        // an empty stream still exists: add an entry and trim it away (rewriteStreamObject); XADD refuses
        // 0-0, so an untouched stream's entry is 0-1 and XSETID below puts its last ID back
        let first = if StreamId.isZero s.LastId then word "0-1" else id s.LastId
        writeCommand out [ word "XADD"; key; word "MAXLEN"; word "0"; first; word "x"; word "y" ]
    else
        for e in entries do
            writeCommand out ([ word "XADD"; key; id e.Id ] @ List.ofArray e.Fields)

    writeCommand
        out
        [
            word "XSETID"
            key
            id s.LastId
            word "ENTRIESADDED"
            num s.EntriesAdded
            word "MAXDELETEDID"
            id s.MaxDeletedId
        ]

    for g in Tree.toArray s.Groups do
        writeCommand
            out
            [
                word "XGROUP"
                word "CREATE"
                key
                g.Name
                id g.LastId
                word "ENTRIESREAD"
                num g.EntriesRead
            ]

        for c in Tree.toArray g.Consumers do
            writeCommand out [ word "XGROUP"; word "CREATECONSUMER"; key; g.Name; c.Name ]

        for p in Tree.toArray g.Pel do
            writeCommand
                out
                [
                    word "XCLAIM"
                    key
                    g.Name
                    p.Consumer
                    word "0"
                    id p.Id
                    word "TIME"
                    num p.DeliveryTime
                    word "RETRYCOUNT"
                    num p.DeliveryCount
                    word "JUSTID"
                    word "FORCE"
                ]

/// The commands that rebuild key holding v.
let private valueCommands (out: Stream) (key: Bytes) (v: Value) =
    match v with
    | Value.String s
    | Value.RawString s
    | Value.EmbString s
    | Value.UnsharedString s -> writeCommand out [ word "SET"; key; s ]
    | Value.List l -> batched out "RPUSH" key (Tree.toArray l |> Seq.map (fun e -> [ e ]))
    | Value.Set s -> batched out "SADD" key (RedisSet.toArray s |> Seq.map (fun m -> [ m ]))
    | Value.SortedSet z ->
        batched
            out
            "ZADD"
            key
            (RedisSortedSet.toArray z
             |> Seq.map (fun e -> [ word (Numbers.formatDouble e.Score); e.Member ]))
    | Value.Hash h -> batched out "HMSET" key (h.Fields.ToSeq() |> Seq.map (fun (struct (f, x)) -> [ f; x ]))
    | Value.Stream s -> streamCommands out key s

/// Write every database of dbs as commands; keys whose deadline is at or before now are left out.
let writeWorld (out: Stream) (now: int64) (dbs: Db[]) =
    for i in 0 .. dbs.Length - 1 do
        let db = dbs[i]

        if db.Keys.Count > 0 then
            writeCommand out [ word "SELECT"; num (int64 i) ]

            for struct (key, v) in db.Keys.ToSeq() do
                match Db.deadline key db with
                | ValueSome at when at <= now -> ()
                | deadline ->
                    valueCommands out key v

                    match deadline with
                    | ValueSome at -> writeCommand out [ word "PEXPIREAT"; key; num at ]
                    | ValueNone -> ()
