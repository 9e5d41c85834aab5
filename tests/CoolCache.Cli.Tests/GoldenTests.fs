/// Golden tests: the same input through redis-cli (7.0, the oracle) and coolcache-cli against the same
/// server, outputs compared byte for byte (stdout, stderr, exit code), in terminal (--no-raw), --raw,
/// --csv and --json modes, over RESP2 and RESP3. The corpus runs on CoolCache itself and covers every
/// reply type it sends; a scripted server sends the RESP3 types it never does. Skipped without redis-cli.
module CoolCache.Cli.Tests.GoldenTests

open System.Text
open System.Collections.Generic
open Expecto
open CoolCache.Cli.Tests.CliProcess
open CoolCache.Cli.Tests.TestServers

/// Commands in redis-cli's quoting, one per line. The corpus begins with FLUSHALL and writes its own data,
/// so that each run sees the same state; nothing in it depends on time, randomness or connection ids.
let corpus =
    [
        "FLUSHALL"
        // strings, integers, nil, errors
        "SET s1 hello"
        "SET s2 \"with space\""
        "SET bin \"a\\x00b\\x01\\xff\\\"\\\\\\n\\r\\t\\a\\b end\""
        "SET empty \"\""
        "SET num 42"
        "SET utf8 \"h\\xc3\\xa9llo w\\xc3\\xb6rld\""
        "SET quote 'it\\'s'"
        "GET s1"
        "GET s2"
        "GET bin"
        "GET empty"
        "GET utf8"
        "GET quote"
        "GET missing"
        "MGET s1 missing s2 empty"
        "STRLEN bin"
        "APPEND s1 \" world\""
        "GETRANGE s1 0 4"
        "GETRANGE s1 100 200"
        "INCR num"
        "INCRBY num -10"
        "DECR num"
        "INCRBYFLOAT num 1.5"
        "INCRBYFLOAT num 0.1"
        "INCR s1"
        "SETNX s1 x"
        "GETSET s2 new"
        "GETDEL s2"
        "GET s2"
        "EXISTS s1 s2 missing"
        "TYPE s1"
        "TYPE missing"
        "SETRANGE empty 3 \"\\x00x\""
        "GET empty"
        "SET k v NX GET"
        "SET k v XX GET"
        "SET k v EX notanumber"
        "SET k v EX 0"
        // lists
        "RPUSH list a b c \"d e\" \"\""
        "LRANGE list 0 -1"
        "LRANGE list 5 10"
        "LRANGE missing 0 -1"
        "LINDEX list 1"
        "LINDEX list 99"
        "LLEN list"
        "LPOP list"
        "RPOP list 2"
        "LPOP missing"
        "LPOS list b"
        "LPOS list nope"
        "RPUSH big 1 2 3 4 5 6 7 8 9 10 11 12"
        "LRANGE big 0 -1"
        "LMPOP 2 missing big LEFT COUNT 2"
        "LPUSH s1 x"
        // hashes: maps in RESP3
        "HSET h f1 v1 f2 \"v 2\" f3 3"
        "HGETALL h"
        "HGET h f1"
        "HGET h nofield"
        "HMGET h f1 nofield f3"
        "HKEYS h"
        "HVALS h"
        "HLEN h"
        "HINCRBYFLOAT h f3 0.5"
        "HINCRBY h f1 1"
        "HGETALL missing"
        "HSTRLEN h f2"
        // sets: sets in RESP3
        "SADD set x y z"
        "SMEMBERS set"
        "SISMEMBER set x"
        "SMISMEMBER set x q"
        "SCARD set"
        "SMEMBERS missing"
        "SINTER set missing"
        "SINTERCARD 1 set"
        "SADD ints 3 1 2"
        "SMEMBERS ints"
        // sorted sets: doubles in RESP3
        "ZADD z 1 one 2.5 two -3 three"
        "ZRANGE z 0 -1"
        "ZRANGE z 0 -1 WITHSCORES"
        "ZSCORE z two"
        "ZSCORE z missing"
        "ZINCRBY z 0.25 one"
        "ZMSCORE z one nope"
        "ZRANK z two"
        "ZPOPMIN z"
        "ZRANGEBYSCORE z -inf +inf WITHSCORES"
        "ZADD inf inf a -inf b 0 c"
        "ZRANGE inf 0 -1 WITHSCORES"
        "ZUNION 2 z inf WITHSCORES"
        "ZCOUNT z -inf +inf"
        "ZADD z nan x"
        "ZRANDMEMBER missing"
        "ZMPOP 1 z MIN"
        // streams: nested arrays and maps
        "XADD stream 1-1 field value"
        "XADD stream 2-1 a 1 b 2"
        "XRANGE stream - +"
        "XRANGE stream + -"
        "XLEN stream"
        "XREAD COUNT 1 STREAMS stream 0"
        "XREAD STREAMS stream $"
        "XGROUP CREATE stream g 0"
        "XREADGROUP GROUP g c COUNT 1 STREAMS stream >"
        "XPENDING stream g"
        "XADD stream 1-0 x y"
        // keys and expiry
        "EXPIRE s1 1000"
        "PERSIST s1"
        "TTL s1"
        "TTL missing"
        "PTTL missing"
        "EXPIRETIME s1"
        "DEL s1 missing"
        "UNLINK nothing"
        "RENAME missing other"
        "KEYS \"zz*\""
        "DBSIZE"
        "OBJECT ENCODING list"
        "OBJECT ENCODING missing"
        "SORT big LIMIT 0 3"
        "SORT big LIMIT 0 3 DESC"
        "SORT list ALPHA"
        "SET k1 ohmytext"
        "SET k2 mynewtext"
        "LCS k1 k2"
        "LCS k1 k2 LEN"
        "LCS k1 k2 IDX MINMATCHLEN 2 WITHMATCHLEN"
        // connection and transactions
        "ECHO \"echo\\ttab\""
        "PING"
        "PING \"hello world\""
        "MULTI"
        "SET tx 1"
        "INCR tx"
        "GET tx"
        "LPUSH tx x"
        "EXEC"
        "MULTI"
        "INCR tx"
        "DISCARD"
        "EXEC"
        "CLIENT GETNAME"
        "CLIENT SETNAME golden"
        "CLIENT GETNAME"
        "SELECT 2"
        "SET indb2 x"
        "DBSIZE"
        "SELECT 0"
        "SELECT 99"
        // server
        "CONFIG GET maxmemory"
        "CONFIG GET \"list-max-*\""
        "CONFIG SET nosuch x"
        "COMMAND INFO get"
        "COMMAND DOCS get"
        "COMMAND INFO nosuchcommand"
        "INFO keyspace"
        // errors of every kind
        "unknowncommand arg \"two words\""
        "GET"
        "HSET h"
        "WATCH"
        "\"\""
        "RESET"
        "HGETALL h"
        "ZRANGE z 0 -1 WITHSCORES"
    ]

let private corpusBytes = Encoding.UTF8.GetBytes(String.concat "\n" corpus + "\n")

/// Run the same input through both CLIs, each after prepare (the data it needs), and compare.
let private compareRunsAfter (prepare: unit -> unit) (what: string) (args: string list) (stdin: byte[]) =
    task {
        let redisCli = requireRedisCli ()
        prepare ()
        let! expected = run redisCli args stdin
        prepare ()
        let! actual = run (coolcacheCli.Force()) args stdin
        expectSame what expected actual
    }

let private compareRuns = compareRunsAfter ignore

let private modes = [ "--no-raw"; "--raw"; "--csv"; "--json" ]

let private corpusTests =
    [
        for protocol in [ []; [ "-3" ] ] do
            for mode in modes do
                let name = String.concat " " (protocol @ [ mode ])

                testCaseTask $"corpus of {corpus.Length} commands, {name}"
                <| fun () ->
                    withCoolCache (fun host ->
                        compareRuns name ([ "-p"; string host.Port ] @ protocol @ [ mode ]) corpusBytes)
    ]

/// Replies CoolCache never sends, by command name (what the scripted server answers).
let private scripted =
    dict
        [
            "BOOLT", "#t\r\n"B
            "BOOLF", "#f\r\n"B
            "DBL", ",3.14\r\n"B
            "DBLINF", ",inf\r\n"B
            "DBLNINF", ",-inf\r\n"B
            "DBLE", ",1.5e10\r\n"B
            "VERB", "=15\r\ntxt:Some string\r\n"B
            "VERBNL", "=12\r\nmkd:a\nb \"c\"\x01\r\n"B
            "NUL3", "_\r\n"B
            "NULLARR", "*-1\r\n"B
            "PUSHE", ">0\r\n+OK\r\n"B
            "PUSH", ">2\r\n+msg\r\n:1\r\n:5\r\n"B
            "PUSHINV", ">2\r\n$10\r\ninvalidate\r\n*2\r\n$1\r\na\r\n$2\r\nbc\r\n:7\r\n"B
            "MAPN", "%2\r\n:1\r\n*2\r\n:1\r\n:2\r\n#t\r\n%1\r\n+a\r\n~1\r\n+b\r\n"B
            "MAPBIG",
            "%3\r\n$1\r\na\r\n%2\r\n+x\r\n:1\r\n+y\r\n*0\r\n,1.5\r\n~2\r\n#f\r\n_\r\n=7\r\ntxt:key\r\n*1\r\n*1\r\n:9\r\n"B
            "SETE", "~0\r\n"B
            "MAPE", "%0\r\n"B
            "PUSHN", ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n+OK\r\n"B
            "ERRNUL", "-ERR a\x00b\r\n"B
            "STATUSNUL", "+OK\x00hidden\r\n"B
            "DEEP", "*1\r\n*1\r\n*1\r\n*1\r\n%1\r\n+k\r\n~1\r\n>1\r\n:1\r\n"B
        ]

/// The scripted replies redis-cli 7.0 cannot print: each stops the CLI with an error.
let private fatal =
    dict
        [
            "BIG", "(3492890328409238509324850943850943825024385\r\n"B
            "NBIG", "(-12\r\n"B
            "DBLNAN", ",nan\r\n"B
            "ATTR", "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2039123\r\n"B
            "WEIRD", "\x01\r\n"B
        ]

let private scriptedTests =
    [
        for pushes in [ "yes"; "no" ] do
            for mode in modes do
                testCaseTask $"RESP3 types CoolCache never sends, {mode}, --show-pushes {pushes}"
                <| fun () ->
                    task {
                        let all = Dictionary<string, byte[]>(scripted)
                        use server = new ScriptedServer(all)
                        let input = Encoding.ASCII.GetBytes(String.concat "\n" scripted.Keys + "\n")

                        do! compareRuns mode [ "-3"; "-p"; string server.Port; "--show-pushes"; pushes; mode ] input
                    }

        testCaseTask "replies redis-cli cannot print end both CLIs the same way, in every mode"
        <| fun () ->
            task {
                use server = new ScriptedServer(Dictionary<string, byte[]>(fatal))

                for name in fatal.Keys do
                    for mode in modes do
                        do! compareRuns $"{name} {mode}" [ "-3"; "-p"; string server.Port; mode; name ] [||]
            }
    ]

/// One-shot commands as arguments (no stdin): argument passing, options, exit codes.
let private oneShotTests =
    [
        let cases =
            [
                [ "--no-raw"; "SET"; "k"; "a b" ]
                [ "--no-raw"; "GET"; "k" ]
                [ "GET"; "k" ]
                [ "--no-raw"; "INCRBY"; "n"; "-5" ]
                [ "--no-raw"; "SET"; "opt"; "--raw" ]
                [ "-n"; "3"; "--no-raw"; "SET"; "in3"; "x" ]
                [ "-n"; "3"; "--no-raw"; "DBSIZE" ]
                [ "-r"; "3"; "--no-raw"; "INCR"; "counter" ]
                [ "-r"; "2"; "-i"; "0.01"; "PING" ]
                [ "--no-raw"; "LRANGE"; "nothing"; "0"; "-1" ]
                [ "--no-raw"; "HGET" ]
                [ "-3"; "--no-raw"; "HSET"; "h"; "a"; "1" ]
                [ "-3"; "--no-raw"; "HGETALL"; "h" ]
                [ "--csv"; "MGET"; "k"; "n"; "none" ]
                [ "--json"; "MGET"; "k"; "n"; "none" ]
                [ "--raw"; "--no-raw"; "GET"; "k" ]
                [ "--no-raw"; "--raw"; "GET"; "k" ]
                [ "--no-raw"; "-n"; "99"; "PING" ]
                [ "--no-raw"; "-a"; "secret"; "PING" ]
                [ "--no-raw"; "--no-auth-warning"; "-a"; "secret"; "--user"; "someone"; "PING" ]
                [ "--no-raw"; "--bogus"; "PING" ]
            ]

        testCaseTask $"{cases.Length} one-shot commands as arguments"
        <| fun () ->
            withCoolCache (fun host ->
                task {
                    let prepare () =
                        sendAll
                            host.Port
                            [
                                [ "FLUSHALL" ]
                                [ "SET"; "k"; "a b" ]
                                [ "SET"; "n"; "10" ]
                                [ "HSET"; "h"; "a"; "1" ]
                            ]

                    for args in cases do
                        do! compareRunsAfter prepare (String.concat " " args) ([ "-p"; string host.Port ] @ args) [||]
                })

        testCaseTask "-x: the last argument from stdin, bytes as they are"
        <| fun () ->
            withCoolCache (fun host ->
                task {
                    let port = string host.Port
                    do! compareRuns "-x set" [ "-p"; port; "-x"; "SET"; "fromstdin" ] "line one\nline\x00two\n"B
                    do! compareRuns "get" [ "-p"; port; "--no-raw"; "GET"; "fromstdin" ] [||]
                })

        testCaseTask "a server that is not there: the same message and exit code"
        <| fun () ->
            task {
                let port =
                    let listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)
                    listener.Start()
                    let p = (listener.LocalEndpoint :?> System.Net.IPEndPoint).Port
                    listener.Stop()
                    p

                do! compareRuns "refused" [ "-p"; string port; "PING" ] [||]
                do! compareRuns "refused, stdin" [ "-p"; string port ] "PING\n"B
            }
    ]

let tests =
    testList "Golden (coolcache-cli vs redis-cli)" (corpusTests @ scriptedTests @ oneShotTests)
