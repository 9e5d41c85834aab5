/// LZF (lzf_d.c / lzf_c.c), the compression of long strings in RDB files.
module CoolCache.Core.Rdb.Lzf

open System

/// Decompress into exactly `length` bytes; None when the input is corrupt.
let decompress (input: ReadOnlySpan<byte>) (length: int) : byte[] option =
    let out = Array.zeroCreate<byte> length
    let mutable ip = 0
    let mutable op = 0
    let mutable ok = true

    while ok && ip < input.Length do
        let ctrl = int input[ip]
        ip <- ip + 1

        if ctrl < 32 then
            // a literal run of ctrl + 1 bytes
            let n = ctrl + 1

            if op + n > length || ip + n > input.Length then
                ok <- false
            else
                input.Slice(ip, n).CopyTo(out.AsSpan(op))
                ip <- ip + n
                op <- op + n
        else
            // a back reference
            let mutable len = ctrl >>> 5

            if len = 7 then
                if ip >= input.Length then
                    ok <- false
                else
                    len <- len + int input[ip]
                    ip <- ip + 1

            if ok then
                if ip >= input.Length then
                    ok <- false
                else
                    let back = op - ((ctrl &&& 0x1f) <<< 8) - 1 - int input[ip]
                    ip <- ip + 1
                    let n = len + 2

                    if back < 0 || op + n > length then
                        ok <- false
                    else
                        // byte by byte: the source may overlap the destination
                        for k in 0 .. n - 1 do
                            out[op + k] <- out[back + k]

                        op <- op + n

    if ok && op = length then Some out else None

let private tables =
    new System.Threading.ThreadLocal<int[]>(fun () -> Array.zeroCreate<int>(1 <<< 14))

/// Compress; None when the result would not be smaller than the input (then Redis stores it plain).
let compress (input: ReadOnlySpan<byte>) : byte[] option =
    if input.Length < 4 then
        None
    else
        let hlog = 14
        // One hash table per thread, never cleared (as liblzf without INIT_HTAB): a stale slot is only a
        // candidate, checked against the bytes before it is used.
        let table = tables.Value
        let out = Array.zeroCreate<byte>(input.Length + input.Length / 16 + 64)
        let maxOut = input.Length - 1
        let mutable ip = 0
        let mutable op = 1
        let mutable lit = 0
        let mutable failed = false


        // op - lit - 1 is where the current literal run's length byte goes
        while not failed && ip < input.Length - 2 do
            let v = (int input[ip] <<< 16) ||| (int input[ip + 1] <<< 8) ||| int input[ip + 2]
            let h = int ((uint32 v * 2654435761u) >>> (32 - hlog))
            let ref' = table[h] - 1
            table[h] <- ip + 1
            let off = ip - ref' - 1

            if
                ref' >= 0
                && off < 8192
                && ref' < ip
                && input[ref'] = input[ip]
                && input[ref' + 1] = input[ip + 1]
                && input[ref' + 2] = input[ip + 2]
            then
                let maxLen = min 264 (input.Length - ip)
                let mutable len = 3

                while len < maxLen && input[ref' + len] = input[ip + len] do
                    len <- len + 1

                if op + 3 + 1 >= maxOut then
                    failed <- true
                else
                    // close the literal run
                    if lit = 0 then
                        op <- op - 1
                    else
                        out[op - lit - 1] <- byte (lit - 1)

                    let l = len - 2

                    if l < 7 then
                        out[op] <- byte ((l <<< 5) + (off >>> 8))
                        op <- op + 1
                    else
                        out[op] <- byte ((7 <<< 5) + (off >>> 8))
                        out[op + 1] <- byte (l - 7)
                        op <- op + 2

                    out[op] <- byte off
                    op <- op + 2
                    lit <- 0
                    ip <- ip + len
            else if op + 1 >= maxOut then
                failed <- true
            else
                out[op] <- input[ip]
                op <- op + 1
                lit <- lit + 1
                ip <- ip + 1

                if lit = 32 then
                    out[op - lit - 1] <- byte (lit - 1)
                    lit <- 0
                    op <- op + 1

        while not failed && ip < input.Length do
            if op + 1 >= maxOut then
                failed <- true
            else
                out[op] <- input[ip]
                op <- op + 1
                lit <- lit + 1
                ip <- ip + 1

                if lit = 32 then
                    out[op - lit - 1] <- byte (lit - 1)
                    lit <- 0
                    op <- op + 1

        if failed then
            None
        else
            if lit = 0 then
                op <- op - 1
            else
                out[op - lit - 1] <- byte (lit - 1)

            if op >= input.Length then
                None
            else
                Some(Array.sub out 0 op)
