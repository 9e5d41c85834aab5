/// RespValue -> bytes, RESP3 or downgraded to RESP2 in one place. PLACEHOLDER: signatures are the contract.
module CoolCache.Core.Protocol.RespWriter

open System
open System.Buffers
open CoolCache.Core

let rec private render (proto: int) (sb: ResizeArray<byte>) (v: RespValue) =
    let line (s: string) = sb.AddRange(Text.Encoding.Latin1.GetBytes(s + "\r\n"))
    match v with
    | RespValue.Simple s -> line ("+" + s)
    | RespValue.Error s -> line ("-" + s)
    | RespValue.Integer n -> line (":" + string n)
    | RespValue.Bulk b -> line ("$" + string b.Length); sb.AddRange b; line ""
    | RespValue.Null -> line (if proto = 3 then "_" else "$-1")
    | RespValue.NullArray -> line (if proto = 3 then "_" else "*-1")
    | RespValue.Array xs -> line ("*" + string xs.Length); xs |> Array.iter (render proto sb)
    | RespValue.Map kvs ->
        if proto = 3 then line ("%" + string kvs.Length) else line ("*" + string (2 * kvs.Length))
        for struct (k, x) in kvs do
            render proto sb k
            render proto sb x
    | RespValue.Set xs -> line ((if proto = 3 then "~" else "*") + string xs.Length); xs |> Array.iter (render proto sb)
    | RespValue.Push xs -> line ((if proto = 3 then ">" else "*") + string xs.Length); xs |> Array.iter (render proto sb)
    | RespValue.Double d ->
        if proto = 3 then line ("," + Numbers.formatDouble d) else render proto sb (RespValue.Bulk(Bytes.ofString (Numbers.formatDouble d)))
    | RespValue.Boolean b -> if proto = 3 then line (if b then "#t" else "#f") else line (if b then ":1" else ":0")
    | RespValue.BigNumber s -> if proto = 3 then line ("(" + s) else render proto sb (RespValue.Bulk(Bytes.ofString s))
    | RespValue.Verbatim(f, p) ->
        if proto = 3 then
            line ("=" + string (p.Length + 4)); sb.AddRange(Text.Encoding.Latin1.GetBytes(f + ":")); sb.AddRange p; line ""
        else render proto sb (RespValue.Bulk p)

/// The bytes of a value in protocol 2 or 3.
let toBytes (proto: int) (v: RespValue) : Bytes =
    let sb = ResizeArray<byte>()
    render proto sb v
    sb.ToArray()

/// Writes a value in protocol 2 or 3 to a buffer writer.
let write (proto: int) (v: RespValue) (output: IBufferWriter<byte>) : unit =
    let b = toBytes proto v
    b.AsSpan().CopyTo(output.GetSpan b.Length)
    output.Advance b.Length
