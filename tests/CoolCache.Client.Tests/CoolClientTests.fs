/// CoolClient against an in-process server over loopback: each data type's typed commands, binary
/// safety, many concurrent callers on one connection, pipelining, transactions, pub/sub, RESP3 and
/// errors as exceptions with Redis's text.
module CoolCache.Client.Tests.CoolClientTests

open System
open System.Collections.Generic
open System.Text
open System.Threading.Tasks
open Expecto
open CoolCache.Client
open CoolCache.Client.Tests.TestServer

let rv (s: string) : RedisValue = RedisValue.op_Implicit s
let rb (b: byte[]) : RedisValue = RedisValue.op_Implicit b

let kv (k: string) (v: string) =
    KeyValuePair<RedisValue, RedisValue>(rv k, rv v)

let private strings =
    clientTest "strings: SET/GET, NX, expiry, INCR family, APPEND, ranges, MGET/MSET"
    <| fun c ->
        task {
            let! ok = c.SetAsync("s", "hello")
            Expect.isTrue ok "SET"
            let! v = c.GetStringAsync "s"
            Expect.equal v (Some "hello" |> Option.toObj) "GET"
            let! nx = c.SetAsync("s", "other", Nullable(), When.NotExists)
            Expect.isFalse nx "SET NX on an existing key"
            let! _ = c.SetAsync("e", "v", Nullable(TimeSpan.FromSeconds 100.0))
            let! ttl = c.TtlAsync "e"
            Expect.isTrue (ttl > 90L && ttl <= 100L) "SET PX sets a deadline"
            let! n = c.IncrAsync "n"
            let! n2 = c.IncrByAsync("n", 10L)
            let! n3 = c.DecrAsync "n"
            let! f = c.IncrByFloatAsync("f", 1.5)
            Expect.equal (n, n2, n3, f) (1L, 11L, 10L, 1.5) "INCR, INCRBY, DECR, INCRBYFLOAT"
            let! len = c.AppendAsync("s", " world")
            let! part = c.GetRangeAsync("s", 0L, 4L)
            Expect.equal (len, text part) (11L, "hello") "APPEND, GETRANGE"
            do! c.MSetAsync [ kv "a" "1"; kv "b" "2" ]
            let! many = c.MGetAsync [| rv "a"; rv "missing"; rv "b" |]
            Expect.equal (many |> Array.map text |> List.ofArray) [ "1"; null; "2" ] "MGET with a missing key"
            let! old = c.GetDelAsync "a"
            let! gone = c.GetAsync "a"
            Expect.equal (text old, gone) ("1", null) "GETDEL"
        }

let private keys =
    clientTest "keys: EXISTS, DEL, EXPIRE/PERSIST/TTL, TYPE, RENAME, SCAN"
    <| fun c ->
        task {
            for i in 1..25 do
                let! _ = c.SetAsync($"k:{i}", i)
                ()

            let! e = c.ExistsAsync(rv "k:1", rv "k:2", rv "nope")
            Expect.equal e 2L "EXISTS counts"
            let! set = c.ExpireAsync("k:1", TimeSpan.FromSeconds 50.0)
            let! pttl = c.PTtlAsync "k:1"
            let! p = c.PersistAsync "k:1"
            let! ttl = c.TtlAsync "k:1"
            let! none = c.TtlAsync "nope"
            Expect.isTrue (set && pttl > 40000L && p) "PEXPIRE, PTTL, PERSIST"
            Expect.equal (ttl, none) (-1L, -2L) "TTL -1 and -2"
            let! t = c.TypeAsync "k:1"
            Expect.equal t "string" "TYPE"
            do! c.RenameAsync("k:1", "renamed")
            let! d = c.DelAsync(rv "renamed", rv "k:2")
            Expect.equal d 2L "DEL"
            let found = HashSet<string>()
            let e = c.ScanAllAsync(rv "k:*", 5L).GetAsyncEnumerator()
            let mutable go = true

            while go do
                let! more = e.MoveNextAsync()

                if more then
                    found.Add(text e.Current) |> ignore
                else
                    go <- false

            Expect.equal found.Count 23 "SCAN finds every remaining key"
            let! size = c.DbSizeAsync()
            Expect.equal size 23L "DBSIZE"
        }

let private lists =
    clientTest "lists: push, pop, range, index, insert, remove, trim, move"
    <| fun c ->
        task {
            let! n = c.RPushAsync("l", rv "a", rv "b", rv "c")
            let! n2 = c.LPushAsync("l", rv "z")
            Expect.equal (n, n2) (3L, 4L) "lengths"
            let! all = c.LRangeAsync("l", 0L, -1L)
            Expect.equal (texts all) [ "z"; "a"; "b"; "c" ] "LRANGE"
            let! i = c.LIndexAsync("l", -1L)
            let! ins = c.LInsertAsync("l", true, "b", "ab")
            let! rem = c.LRemAsync("l", 0L, "z")
            Expect.equal (text i, ins, rem) ("c", 5L, 1L) "LINDEX, LINSERT, LREM"
            let! first = c.LPopAsync "l"
            let! last = c.RPopAsync "l"
            let! pos = c.LPosAsync("l", "b")
            Expect.equal (text first, text last, pos) ("a", "c", Nullable 1L) "LPOP, RPOP, LPOS"
            let! moved = c.LMoveAsync("l", "l2", true, false)
            let! len = c.LLenAsync "l2"
            Expect.equal (text moved, len) ("ab", 1L) "LMOVE"
            let! popped = c.BLPopAsync([| rv "l2" |], 0.5)
            Expect.equal (popped.Value.ToTuple() |> fun (k, v) -> text k, text v) ("l2", "ab") "BLPOP with data"
        }

let private hashes =
    clientTest "hashes: HSET/HGET/HGETALL/HDEL/HINCRBY/HSCAN"
    <| fun c ->
        task {
            let! n = c.HSetAsync("h", [ kv "f1" "v1"; kv "f2" "v2" ])
            let! isNew = c.HSetAsync("h", "f3", "v3")
            Expect.equal (n, isNew) (2L, true) "HSET"
            let! v = c.HGetStringAsync("h", "f2")
            Expect.equal v "v2" "HGET"
            let! all = c.HGetAllAsync "h"
            let m = all |> Array.map (fun p -> text p.Key, text p.Value) |> Map.ofArray
            Expect.equal m (Map [ "f1", "v1"; "f2", "v2"; "f3", "v3" ]) "HGETALL"
            let! d = c.HDelAsync("h", rv "f1")
            let! x = c.HExistsAsync("h", "f1")
            let! len = c.HLenAsync "h"
            let! inc = c.HIncrByAsync("h", "n", 5L)
            Expect.equal (d, x, len, inc) (1L, false, 2L, 5L) "HDEL, HEXISTS, HLEN, HINCRBY"
            let! (cursor, fields) = c.HScanAsync("h", 0L)
            Expect.equal (cursor, fields.Length) (0L, 3) "HSCAN of a small hash"
        }

let private sets =
    clientTest "sets: SADD/SREM/SMEMBERS/SISMEMBER/SINTER/SUNION/SDIFF"
    <| fun c ->
        task {
            let! n = c.SAddAsync("s1", rv "a", rv "b", rv "c")
            let! _ = c.SAddAsync("s2", rv "b", rv "c", rv "d")
            Expect.equal n 3L "SADD"
            let! inter = c.SInterAsync(rv "s1", rv "s2")
            let! union = c.SUnionAsync(rv "s1", rv "s2")
            let! diff = c.SDiffAsync(rv "s1", rv "s2")
            Expect.equal (texts inter |> List.sort) [ "b"; "c" ] "SINTER"
            Expect.equal (texts union |> List.sort) [ "a"; "b"; "c"; "d" ] "SUNION"
            Expect.equal (texts diff) [ "a" ] "SDIFF"
            let! is = c.SIsMemberAsync("s1", "a")
            let! mis = c.SMIsMemberAsync("s1", rv "a", rv "z")
            let! r = c.SRemAsync("s1", rv "a")
            let! card = c.SCardAsync "s1"

            Expect.equal
                (is, List.ofArray mis, r, card)
                (true, [ true; false ], 1L, 2L)
                "SISMEMBER, SMISMEMBER, SREM, SCARD"
        }

let private sortedSets =
    clientTest "sorted sets: ZADD/ZSCORE/ZRANGE WITHSCORES/ZRANK/ZINCRBY/ZPOPMIN"
    <| fun c ->
        task {
            let! n =
                c.ZAddAsync(
                    "z",
                    [
                        KeyValuePair(rv "a", 1.0)
                        KeyValuePair(rv "b", 2.0)
                        KeyValuePair(rv "c", 3.0)
                    ]
                )

            Expect.equal n 3L "ZADD"
            let! s = c.ZScoreAsync("z", "b")
            let! missing = c.ZScoreAsync("z", "nope")
            Expect.equal (s, missing) (Nullable 2.0, Nullable()) "ZSCORE"
            let! range = c.ZRangeWithScoresAsync("z", 0L, -1L)

            Expect.equal
                (range |> Array.map (fun p -> text p.Key, p.Value) |> List.ofArray)
                [ "a", 1.0; "b", 2.0; "c", 3.0 ]
                "ZRANGE WITHSCORES"

            let! rev = c.ZRangeAsync("z", 0L, 0L, true)
            let! rank = c.ZRankAsync("z", "c")
            let! inc = c.ZIncrByAsync("z", "a", 10.0)
            let! byScore = c.ZRangeByScoreAsync("z", "(1", "+inf")
            Expect.equal (texts rev, rank, inc) ([ "c" ], Nullable 2L, 11.0) "ZRANGE REV, ZRANK, ZINCRBY"
            Expect.equal (texts byScore) [ "b"; "c"; "a" ] "ZRANGEBYSCORE"
            let! popped = c.ZPopMinAsync "z"
            let! card = c.ZCardAsync "z"
            Expect.equal (text popped[0].Key, card) ("b", 2L) "ZPOPMIN, ZCARD"
        }

let private streams =
    clientTest "streams: XADD/XLEN/XRANGE/XREAD/consumer groups"
    <| fun c ->
        task {
            let! id1 = c.XAddAsync("st", [ kv "f" "1" ])
            let! id2 = c.XAddAsync("st", [ kv "f" "2" ])
            let! len = c.XLenAsync "st"
            Expect.equal len 2L "XLEN"
            let! entries = c.XRangeAsync "st"
            Expect.equal (entries |> Array.map (fun e -> e.Id) |> List.ofArray) [ id1; id2 ] "XRANGE ids"
            Expect.equal (text entries[1].Fields[0].Value) "2" "XRANGE fields"
            let! read = c.XReadAsync([| KeyValuePair(rv "st", id1) |])
            Expect.equal (read["st"] |> Array.map (fun e -> e.Id) |> List.ofArray) [ id2 ] "XREAD after an id"
            do! c.XGroupCreateAsync("st", "g", "0")
            let! got = c.XReadGroupAsync("g", "alice", "st")
            Expect.equal got.Length 2 "XREADGROUP >"
            let! acked = c.XAckAsync("st", "g", id1, id2)
            Expect.equal acked 2L "XACK"
        }

let private server =
    clientTest "server and connection: PING, ECHO, INFO, CONFIG GET, CLIENT ID, ExecuteAsync"
    <| fun c ->
        task {
            let! _ = c.PingAsync()
            let! e = c.EchoAsync "hi"
            Expect.equal (text e) "hi" "ECHO"
            let! info = c.InfoAsync "server"
            Expect.stringContains info "redis_version" "INFO"
            let! cfg = c.ConfigGetAsync "databases"
            Expect.equal cfg["databases"] "16" "CONFIG GET"
            let! id = c.ClientIdAsync()
            Expect.isGreaterThan id 0L "CLIENT ID"
            let! r = c.ExecuteAsync("OBJECT", "ENCODING", "nope")
            Expect.isTrue r.IsNull "ExecuteAsync of a command without a typed method"
        }

let private binarySafety =
    clientTest "every byte value survives in keys and values"
    <| fun c ->
        task {
            let all = Array.init 256 byte
            let! _ = c.SetAsync(all, all)
            let! back = c.GetAsync all
            Expect.equal back all "all 256 byte values as key and value"

            for b in 0..255 do
                let! _ = c.SetAsync(rb [| byte b |], rb [| byte b; 13uy; 10uy |])
                ()

            let! many = c.MGetAsync(Array.init 256 (fun b -> rb [| byte b |]))

            Expect.isTrue
                (many |> Array.mapi (fun b v -> v = [| byte b; 13uy; 10uy |]) |> Array.forall id)
                "each one-byte key"

            let hkey = Array.append "h:"B all
            let! _ = c.HSetAsync(hkey, all, all)
            let! h = c.HGetAsync(hkey, all)
            let! l = c.LIndexAsync(rb (Array.rev all), 0L)
            Expect.equal (h, l) (all, null) "hash field and value; a reversed key is another key"
        }

let private concurrentCallers =
    clientTest "1000 concurrent callers on one client each get their own replies"
    <| fun c ->
        task {
            let caller (i: int) =
                task {
                    do! Task.Yield()
                    let payload = Encoding.UTF8.GetBytes($"value-{i}-" + String('x', i % 50))
                    let! _ = c.SetAsync($"c:{i}", payload)
                    let! echo = c.EchoAsync payload
                    let! back = c.GetAsync $"c:{i}"
                    let! n = c.IncrByAsync($"n:{i}", int64 i)
                    return echo = payload && back = payload && n = int64 i
                }

            let! results = Task.WhenAll(Array.init 1000 caller)
            Expect.isTrue (Array.forall id results) "every caller saw its own replies"
        }

let private pipelining =
    clientTest "requests made without waiting are answered in order"
    <| fun c ->
        task {
            let tasks = Array.init 10000 (fun _ -> c.IncrAsync "counter")
            let! values = Task.WhenAll tasks
            Expect.equal (List.ofArray values) [ 1L .. 10000L ] "INCR replies in request order"
        }

let private transactions =
    clientTest "transactions: MULTI/EXEC as one batch; queued errors abort; runtime errors stay per command"
    <| fun c ->
        task {
            let tx = c.CreateTransaction()
            let a = tx.Add("INCR", "t")
            let b = tx.Add("INCRBY", "t", 5)
            let! results = tx.ExecuteAsync()
            let! av = a
            let! bv = b
            Expect.equal (results.Length, av.Integer, bv.Integer) (2, 1L, 6L) "each command's result"

            let bad = c.CreateTransaction()
            let q = bad.Add("SET", "t2", "x")
            let _ = bad.Add("GET")
            let! e = failure (bad.ExecuteAsync())
            Expect.stringStarts e.Message "EXECABORT" "EXECABORT for an arity error"
            let! qe = failure q
            Expect.stringStarts qe.Message "EXECABORT" "the queued command fails with it"
            let! notSet = c.ExistsAsync(rv "t2")
            Expect.equal notSet 0L "nothing ran"

            let runtime = c.CreateTransaction()
            let _ = runtime.Add("LPUSH", "t", "x")
            let ok = runtime.Add("SET", "t3", "y")
            let! rs = runtime.ExecuteAsync()
            Expect.isTrue rs[0].IsError "WRONGTYPE inside EXEC"
            let! okv = ok
            Expect.equal (okv.AsString()) "OK" "the other command ran"
        }

let private errors =
    clientTest "error replies become exceptions with Redis's text"
    <| fun c ->
        task {
            let! _ = c.RPushAsync("list", rv "x")
            let! e = failure (c.GetAsync "list")

            Expect.equal e.Message "WRONGTYPE Operation against a key holding the wrong kind of value" "WRONGTYPE"
            Expect.equal (e :?> RedisServerException).Prefix "WRONGTYPE" "prefix"
            let! u = failure (c.ExecuteAsync("NOPE", "a"))
            Expect.equal u.Message "ERR unknown command 'NOPE', with args beginning with: 'a' " "unknown command"
            let! _ = c.SetAsync("s", "abc")
            let! i = failure (c.IncrAsync "s")
            Expect.equal i.Message "ERR value is not an integer or out of range" "not an integer"
            let! raw = c.SendAsync([| rv "GET"; rv "list" |])
            Expect.isTrue raw.IsError "SendAsync returns errors as replies"
            let! still = c.GetStringAsync "s"
            Expect.equal still "abc" "the connection goes on after errors"
        }

let private pubsub =
    clientTest "pub/sub: SUBSCRIBE as an async stream, PSUBSCRIBE with a handler, unsubscribe on dispose"
    <| fun c ->
        task {
            let! sub = c.SubscribeAsync "news"
            let got = System.Collections.Concurrent.ConcurrentQueue<PubSubMessage>()
            let! psub = c.PSubscribeAsync("n*", Action<PubSubMessage>(got.Enqueue))
            let! receivers = c.PublishAsync("news", "hello")
            Expect.equal receivers 2L "a channel and a pattern subscriber"
            let! _ = c.PublishAsync("news", [| 0uy; 255uy |])
            let e = sub.GetAsyncEnumerator()
            let! _ = e.MoveNextAsync()
            let first = e.Current
            let! _ = e.MoveNextAsync()
            Expect.equal (first.ChannelText, first.PayloadText) ("news", "hello") "first message"
            Expect.equal e.Current.Payload [| 0uy; 255uy |] "binary message"
            do! until "the pattern handler saw both" (fun () -> Task.FromResult(got.Count = 2))
            let m = Seq.head got
            Expect.equal (text m.Pattern, m.ChannelText) ("n*", "news") "pmessage"
            do! sub.DisposeAsync()
            do! psub.DisposeAsync()
            do! until "nobody listens" (fun () -> task { let! n = c.PublishAsync("news", "x") in return n = 0L })
        }

let private resp3 =
    testCaseTask "RESP3: HELLO 3 on connect; maps, doubles, pushes for subscribers"
    <| fun () ->
        withServer [] (fun host ->
            task {
                use! c = CoolClient.ConnectAsync(CoolClientOptions(Port = host.Port, Protocol = 3))
                let! _ = c.HSetAsync("h", "f", "v")
                let! r = c.ExecuteAsync("HGETALL", "h")
                Expect.equal r.Kind ReplyKind.Map "HGETALL is a map"
                let! all = c.HGetAllAsync "h"
                Expect.equal (text all[0].Value) "v" "typed HGETALL reads the map"
                let! _ = c.ZAddAsync("z", "m", 1.5)
                let! s = c.ExecuteAsync("ZSCORE", "z", "m")
                Expect.equal (s.Kind, s.Double) (ReplyKind.Double, 1.5) "ZSCORE is a double"
                let! ws = c.ZRangeWithScoresAsync("z", 0L, -1L)
                Expect.equal (text ws[0].Key, ws[0].Value) ("m", 1.5) "WITHSCORES pairs"
                let! hello = c.ExecuteAsync("HELLO")
                Expect.equal hello.Kind ReplyKind.Map "HELLO"
                let! sub = c.SubscribeAsync "ch"
                let! _ = c.PublishAsync("ch", "m3")
                let e = sub.GetAsyncEnumerator()
                let! _ = e.MoveNextAsync()
                Expect.equal e.Current.PayloadText "m3" "a push delivered"
            })

let tests =
    testList
        "CoolClient"
        [
            strings
            keys
            lists
            hashes
            sets
            sortedSets
            streams
            server
            binarySafety
            concurrentCallers
            pipelining
            transactions
            errors
            pubsub
            resp3
        ]
