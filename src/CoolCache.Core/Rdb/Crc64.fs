/// Redis's CRC-64 (crc64.c: Jones polynomial 0xad93d23594c935a9, reflected, initial value 0, no final
/// xor): the checksum at the end of RDB files and DUMP payloads. crc64 "123456789" = 0xe9c6d914c4b8d9ca.
module CoolCache.Core.Rdb.Crc64

open System

let private table: uint64[] =
    // reflected polynomial
    let poly = 0x95ac9329ac4bc9b5UL

    Array.init 256 (fun i ->
        let mutable c = uint64 i

        for _ in 1..8 do
            c <- if c &&& 1UL <> 0UL then (c >>> 1) ^^^ poly else c >>> 1

        c)

/// Continue a checksum over more bytes.
let update (crc: uint64) (data: ReadOnlySpan<byte>) : uint64 =
    let mutable c = crc

    for i in 0 .. data.Length - 1 do
        c <- table[int ((c ^^^ uint64 data[i]) &&& 0xffUL)] ^^^ (c >>> 8)

    c

/// The checksum of some bytes.
let compute (data: ReadOnlySpan<byte>) = update 0UL data
