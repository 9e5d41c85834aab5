/// Redis's CRC-64 (crc64.c: Jones polynomial 0xad93d23594c935a9, reflected, initial value 0, no final
/// xor): the checksum at the end of RDB files and DUMP payloads. crc64 "123456789" = 0xe9c6d914c4b8d9ca.
/// Eight bytes per step with eight tables (slicing-by-8, as Redis's crcspeed), then byte by byte.
module CoolCache.Core.Rdb.Crc64

open System
open System.Buffers.Binary

let private tables: uint64[][] =
    // reflected polynomial
    let poly = 0x95ac9329ac4bc9b5UL

    let t0 =
        Array.init 256 (fun i ->
            let mutable c = uint64 i

            for _ in 1..8 do
                c <- if c &&& 1UL <> 0UL then (c >>> 1) ^^^ poly else c >>> 1

            c)

    let all = Array.zeroCreate 8
    all[0] <- t0

    for k in 1..7 do
        all[k] <- Array.init 256 (fun i -> (all[k - 1][i] >>> 8) ^^^ t0[int (all[k - 1][i] &&& 0xffUL)])

    all

/// Continue a checksum over more bytes.
let update (crc: uint64) (data: ReadOnlySpan<byte>) : uint64 =
    let t0 = tables[0]
    let t1 = tables[1]
    let t2 = tables[2]
    let t3 = tables[3]
    let t4 = tables[4]
    let t5 = tables[5]
    let t6 = tables[6]
    let t7 = tables[7]
    let mutable c = crc
    let mutable i = 0

    while i + 8 <= data.Length do
        c <- c ^^^ BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i, 8))

        c <-
            t7[int (c &&& 0xffUL)]
            ^^^ t6[int ((c >>> 8) &&& 0xffUL)]
            ^^^ t5[int ((c >>> 16) &&& 0xffUL)]
            ^^^ t4[int ((c >>> 24) &&& 0xffUL)]
            ^^^ t3[int ((c >>> 32) &&& 0xffUL)]
            ^^^ t2[int ((c >>> 40) &&& 0xffUL)]
            ^^^ t1[int ((c >>> 48) &&& 0xffUL)]
            ^^^ t0[int (c >>> 56)]

        i <- i + 8

    while i < data.Length do
        c <- t0[int ((c ^^^ uint64 data[i]) &&& 0xffUL)] ^^^ (c >>> 8)
        i <- i + 1

    c

/// The checksum of some bytes.
let compute (data: ReadOnlySpan<byte>) = update 0UL data
