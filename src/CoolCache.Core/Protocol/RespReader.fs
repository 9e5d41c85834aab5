/// The socket-path command reader: a hand-written span parser that must agree with RespParser (the
/// FParsec grammar, the specification) on every input. PLACEHOLDER: signature is the contract.
module CoolCache.Core.Protocol.RespReader

open System
open CoolCache.Core

let private incomplete = { Status = ReadStatus.Incomplete; Consumed = 0; Argv = null; Error = ProtocolError.InvalidBulkLength }

let private tryLine (buf: ReadOnlySpan<byte>) (start: int) =
    let i = buf.Slice(start).IndexOf("\r\n"B)
    if i < 0 then -1 else start + i

/// Reads one command (multibulk or inline) from the front of buffer.
let read (limits: ReadLimits, buffer: ReadOnlySpan<byte>) : ReadResult =
    ignore limits
    if buffer.Length = 0 then incomplete
    elif buffer[0] <> byte '*' then
        let nl = buffer.IndexOf(byte '\n')
        if nl < 0 then incomplete
        else
            let line = Text.Encoding.Latin1.GetString(buffer.Slice(0, nl)).TrimEnd('\r')
            let parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries) |> Array.map Bytes.ofLatin1
            { Status = (if parts.Length = 0 then ReadStatus.Skip else ReadStatus.Command); Consumed = nl + 1; Argv = parts; Error = ProtocolError.InvalidBulkLength }
    else
        let e = tryLine buffer 0
        if e < 0 then incomplete
        else
            let n = int (Text.Encoding.Latin1.GetString(buffer.Slice(1, e - 1)))
            let argv = Array.zeroCreate<Bytes> (max n 0)
            let mutable pos = e + 2
            let mutable ok = true
            let mutable i = 0
            while ok && i < n do
                let e2 = tryLine buffer pos
                if e2 < 0 then ok <- false
                else
                    let len = int (Text.Encoding.Latin1.GetString(buffer.Slice(pos + 1, e2 - pos - 1)))
                    if buffer.Length < e2 + 2 + len + 2 then ok <- false
                    else
                        argv[i] <- buffer.Slice(e2 + 2, len).ToArray()
                        pos <- e2 + 2 + len + 2
                        i <- i + 1
            if not ok then incomplete
            elif n <= 0 then { Status = ReadStatus.Skip; Consumed = pos; Argv = null; Error = ProtocolError.InvalidBulkLength }
            else { Status = ReadStatus.Command; Consumed = pos; Argv = argv; Error = ProtocolError.InvalidBulkLength }
