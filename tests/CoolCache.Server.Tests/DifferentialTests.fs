/// Differential tests: the same generated command sequences go to a real redis-server and to
/// CoolCache; the replies must be byte-for-byte equal (except the deliberate differences below).
///
/// Environment:
///   COOLCACHE_DIFF_SEQUENCES=n   generated sequences per run (default 5000)
///   COOLCACHE_DIFF_SEED=s        base seed (sequence i uses s+i; a failure prints the replay line)
///   COOLCACHE_DIFF_SELFTEST=1    compare redis with redis (validates the harness)
///   COOLCACHE_DIFF_COVERAGE=1    print per-command counts / errors / distinct replies
///   COOLCACHE_REQUIRE_REDIS=1    fail (instead of skip) when redis-server is missing
///   COOLCACHE_REDIS_SERVER=path  use this redis-server binary
module CoolCache.Server.Tests.DifferentialTests

open System
open System.Diagnostics
open System.Text
open System.Threading.Tasks
open Expecto
open CoolCache.Server.Tests.RawClient
open CoolCache.Server.Tests.GenParts
open CoolCache.Server.Tests.CommandGen
open CoolCache.Server.Tests.Servers

/// Everything NOT compared byte-for-byte, and why. Each entry matches a CommandGen.Compare case
/// or a command the generator deliberately never emits.
let deliberateDifferences: (string * string) list =
    [
        "TTL, EXPIRETIME (IntWithin 1)",
        "depend on the wall clock of each server; the two servers run the same command a few ms apart, so the rounded seconds may differ by 1 (negative answers -1/-2 must be equal)"
        "PTTL, PEXPIRETIME (IntWithin 400)",
        "milliseconds of wall clock between the two servers: allowed +-400ms (blocking commands with 10ms timeouts and a loaded 2-core machine put up to ~170ms between the two servers; relative amounts are 1s apart, so 400ms still tells them apart), by parsing the integer (negative answers must be equal)"
        "DBSIZE (LiveCount)",
        "CoolCache counts live keys; Redis also counts expired keys that no lookup or expiry cycle has reclaimed yet (which lookups reclaim is an accident of each command's code), so CoolCache may be lower, never higher"
        "HELLO (HelloReply)",
        "the reply holds server name, version and connection id; only the reply kind is compared (map/array), errors byte-for-byte"
        "RANDOMKEY (RandomKey)",
        "random by definition; both must reply nil or both a key from the pool or of the SORT generator (the key sets themselves are checked by KEYS/SCAN)"
        "KEYS (SortedArray)", "the reply order is Redis's hash-table order; compared as sorted arrays"
        "SCAN (ScanAll pseudo-command)",
        "cursors are hash-table positions; the harness runs a full iteration on each server and compares the sorted, de-duplicated key sets (errors byte-for-byte)"
        "SCAN TYPE none (not generated)",
        "Redis 7.0 returns expired keys that no lookup has reclaimed yet for TYPE none (its type check reclaims them first); which keys those are depends on Redis's lookup history. CoolCache never returns expired keys"
        "OBJECT IDLETIME / OBJECT FREQ (not generated)",
        "idle time is wall clock; FREQ depends on the LFU policy and decay over time"
        "TIME / INFO / CLIENT / CONFIG / DEBUG (not generated)",
        "server-specific or time-dependent by nature; out of scope for byte comparison"
        "HKEYS, HVALS (SortedArray); HGETALL (SortedPairs)",
        "the reply order is the hash's order: Redis's listpack keeps insertion order, its hashtable and our map hash order; compared as sorted arrays / sorted (field, value) pairs of the same kind (RESP3 map, RESP2 flat array)"
        "HSCAN (HashScanAll pseudo-command)",
        "cursors are hash-table positions and a listpack hash comes back whole in insertion order; the harness runs a full iteration on each server and compares the sorted, de-duplicated (field, value) sets (errors byte-for-byte); invalid cursors are compared exactly"
        "HRANDFIELD (RandomFields pseudo-command)",
        "random by definition; each server's reply is checked against that server's HGETALL (length from Redis's count rules, fields and values of the hash, distinct for a positive count) and both replies must have the same shape (nil/bulk/array, flat or RESP3 pairs)"
        "HRANDFIELD with a large negative count (not generated)",
        "Redis streams |count| entries however many that is (without WITHVALUES up to LONG_MAX); CoolCache refuses more than 2^24 with 'ERR value is out of range'"
        "SMEMBERS, SINTER, SUNION, SDIFF, SPOP with a count (SortedArray)",
        "the member order is the server's hash-table order (ascending for intsets, as in Redis); compared as sorted arrays of the same kind (array or RESP3 set)"
        "SPOP (generator)",
        "random by definition and it changes the set: generated only with counts no set reaches (the whole set is popped), 0, or bad input; the random choice is covered by the core tests"
        "SRANDMEMBER (RandomMembers)",
        "random by definition: the harness follows it with SMEMBERS key on both servers; the sets must be equal, the replies of the same kind and length, every element a member, and no repeats for a non-negative count"
        "SSCAN (MemberScanAll pseudo-command)",
        "cursors are hash-table positions; the harness runs a full SSCAN iteration on each server and compares the sorted, de-duplicated member sets (errors byte-for-byte); single calls are generated only with invalid cursors"
        "ZRANDMEMBER (RandomScored)",
        "random by definition: the harness follows it with ZRANGE key 0 -1 WITHSCORES on both servers; those must be equal, the replies of the same shape and length, every member (and its score) from the set, and no repeats for a non-negative count"
        "ZRANDMEMBER with a large negative count (not generated)",
        "Redis streams |count| entries however many that is; CoolCache refuses more than 2^24 with 'ERR value is out of range'"
        "ZSCAN (HashScanAll pseudo-command)",
        "a listpack sorted set comes back whole and in order (as in Redis, compared exactly by the other commands); a skiplist one is scanned in our member-map order, not Redis's dict order: the harness runs a full iteration on each server and compares the sorted, de-duplicated (member, score) sets"
        "ZRANGEBYLEX, ZREVRANGEBYLEX, ZLEXCOUNT, ZRANGE BYLEX (LexRange)",
        "Redis documents lex ranges only for members of equal score; with mixed scores a listpack is scanned from its head (reproduced exactly) but a skiplist is searched through random levels (unpredictable; CoolCache walks it as a listpack). The harness follows each lex read with OBJECT ENCODING and ZRANGE WITHSCORES on both servers (which must be equal) and accepts a different reply only for a skiplist of mixed scores"
        "ZREMRANGEBYLEX, ZRANGESTORE BYLEX (generator)",
        "lex writes are generated reading from the end Redis finds without a search (\"-\" forwards, \"+\" reversed), so that both servers store the same even for a skiplist of mixed scores; other bounds are covered by the reads and the core tests"
        "SORT, SORT_RO by value (FreshErrno)",
        "Redis 7.0's SORT tests errno == ERANGE after strtod without clearing errno first, so an ERANGE left by an earlier command (a SORT weight such as 1e400, a ZADD score such as 5e-324) makes every later numeric SORT of a value Redis does not hold as an integer fail, until some system call changes errno; CoolCache judges each score on its own. The harness resets the oracle's errno (it opens and closes a connection) before each numeric SORT, which it runs on its own"
        "SORT, SORT_RO of sets or pool keys with ALPHA ties or BY nosort (SortedArray, generator)",
        "Redis leaves ALPHA ties (equal or missing BY weights, strings equal up to a NUL byte) and BY nosort in a set's dict order; such sorts are compared as sorted arrays and generated without LIMIT (which would pick a hash-order subset) and without STORE of tied ALPHA BY results; on the list-only key \"sl\" they are compared exactly"
        "XADD with * (StreamIdShape, generator)",
        "the ID comes from each server's clock; \"*\" is only generated on a key of its own (no other stream command reads it) and both replies must be \"<ms>-<seq>\" IDs (or the same error); every other XADD uses explicit IDs or \"<ms>-*\", which are deterministic"
        "XPENDING (extended form), XINFO CONSUMERS, XINFO STREAM FULL (Clocked)",
        "delivery times, seen times and idle durations are clock readings taken a few ms apart on the two servers: unix-ms times (>= 10^12) and idle values may differ by up to 1000 ms, everything else (shape, IDs, counts, names) is compared exactly. Idle thresholds (XPENDING IDLE, XCLAIM and XAUTOCLAIM min-idle-time) are generated as 0 or an hour, never near a real idle time"
        "blocked XREAD/XREADGROUP served by several streams at once (not generated)",
        "Redis answers a waiter with the one stream that woke it; CoolCache runs the read again over all its streams, so a MULTI that adds to two of them (or XADD then XDEL of the same entry) can answer differently"
        "XADD <ms>-* after <ms>-18446744073709551615 (not generated)",
        "Redis 7.0's streamAppendItem fails there without setting errno, so XADD answers \"equal or smaller than the target stream top item\" when an earlier command left EDOM in errno and \"Elements are too large to be stored\" otherwise; CoolCache always answers the latter (what Redis answers with a fresh errno). The generator never makes a stream's last ID <ms>-<max sequence> below the last possible ID"
        "relative TTL amounts (generator)",
        "each step's relative EX/PX amount is unique within a sequence (base + step index), so GT/LT comparisons never tie on a millisecond boundary; TTLs are >= 100s so nothing expires during a sequence"
    ]

// Comparison ------------------------------------------------------------------------------------

let private isError =
    function
    | Error _
    | BulkError _ -> true
    | _ -> false

let private tryParse (b: byte[]) =
    try
        Some(parseReply b)
    with ProtocolError _ ->
        None

let private sameBytes (a: byte[]) (b: byte[]) =
    a.AsSpan().SequenceEqual(ReadOnlySpan b)

/// The (field, value) pairs of a RESP3 map or a flat RESP2 array, with the reply kind.
let private pairsOf (r: Reply) : (string * (string * string) list) option =
    let text =
        function
        | Bulk b -> escape b
        | other -> sprintf "%A" other

    match r with
    | Map ps -> Some("map", ps |> List.map (fun (f, v) -> text f, text v))
    | Array xs when xs.Length % 2 = 0 ->
        Some("array", xs |> List.chunkBySize 2 |> List.map (fun p -> text p[0], text p[1]))
    | _ -> None

/// "<ms>-<seq>" in decimal digits.
let private isStreamId (b: byte[]) =
    let text = Encoding.Latin1.GetString b

    match text.Split('-') with
    | [| ms; seq |] ->
        ms.Length > 0
        && seq.Length > 0
        && Seq.forall Char.IsAsciiDigit ms
        && Seq.forall Char.IsAsciiDigit seq
    | _ -> false

/// How far apart two clock readings of the same event may be on the two servers (Clocked).
let private clockTolerance = 1000L

/// Clocked: equal replies except clock readings: integers that are unix-ms times (both >= 10^12) or
/// idle durations (the value after an "idle" key, the third element of an XPENDING row).
let rec private sameClocked (idle: bool) (o: Reply) (c: Reply) =
    let within (a: int64) (b: int64) = abs (a - b) <= clockTolerance

    match o, c with
    | Integer a, Integer b ->
        a = b
        || ((idle || (a >= 1_000_000_000_000L && b >= 1_000_000_000_000L)) && within a b)
    | Array [ Bulk _ as i1; Bulk _ as c1; Integer _ as t1; Integer n1 ],
      Array [ Bulk _ as i2; Bulk _ as c2; Integer _ as t2; Integer n2 ] ->
        // An XPENDING row: [id, consumer, idle ms, deliveries].
        i1 = i2 && c1 = c2 && sameClocked true t1 t2 && n1 = n2
    | Array xs, Array ys when xs.Length = ys.Length ->
        // RESP2 maps are flat arrays: a value after the key "idle" is a duration.
        let keys =
            if xs.IsEmpty then
                []
            else
                Bulk [||] :: List.truncate (xs.Length - 1) xs

        List.zip3 keys xs ys
        |> List.forall (fun (k, x, y) -> sameClocked (k = Bulk(latin1 "idle")) x y)
    | Map xs, Map ys when xs.Length = ys.Length ->
        List.forall2 (fun (k1, v1) (k2, v2) -> k1 = k2 && sameClocked (k1 = Bulk(latin1 "idle")) v1 v2) xs ys
    | a, b -> a = b

/// None when the two replies agree for this kind of step; Some explanation otherwise.
let compareReplies (cmp: Compare) (oracle: byte[]) (candidate: byte[]) : string option =
    if sameBytes oracle candidate then
        None
    else
        match cmp, tryParse oracle, tryParse candidate with
        | _, _, None -> Some "candidate reply is not valid RESP"
        | _, None, _ -> Some "oracle reply is not valid RESP (harness bug?)"
        | Exact, _, _
        | FreshErrno, _, _
        | ScanAll, _, _
        | HashScanAll, _, _
        | RandomFields, _, _ -> Some "replies differ"
        | StreamIdShape, Some(Bulk o), Some(Bulk c) when isStreamId o && isStreamId c -> None
        | StreamIdShape, _, _ -> Some "replies differ (XADD *: not both IDs)"
        | Clocked, Some o, Some c when sameClocked false o c -> None
        | Clocked, _, _ -> Some "replies differ (beyond the clock tolerance)"
        | MemberScanAll, _, _
        | RandomMembers _, _, _
        | RandomScored, _, _
        | LexRange, _, _ -> Some "replies differ"
        | _, Some o, Some c when isError o || isError c -> Some "replies differ (error)"
        | SortedArray, Some(Array os), Some(Array cs)
        | SortedArray, Some(Set os), Some(Set cs) ->
            let key =
                function
                | Bulk b -> Convert.ToHexString b
                | other -> sprintf "%A" other

            if List.sort (List.map key os) = List.sort (List.map key cs) then
                None
            else
                Some "different elements (compared as sorted arrays)"
        | SortedArray, _, _ -> Some "replies differ (kind)"
        | SortedPairs, Some o, Some c ->
            match pairsOf o, pairsOf c with
            | Some(ko, po), Some(kc, pc) when ko = kc ->
                if List.sort po = List.sort pc then
                    None
                else
                    Some "different field/value pairs (compared as sorted pairs)"
            | _ -> Some "replies differ (kind)"
        | IntWithin tol, Some(Integer o), Some(Integer c) ->
            if o < 0L || c < 0L then
                Some "replies differ (negative TTL answers are exact)"
            elif abs (o - c) <= tol then
                None
            else
                Some $"clock-dependent integers differ by more than {tol}"
        | IntWithin _, _, _ -> Some "replies differ (kind)"
        | LiveCount, Some(Integer o), Some(Integer c) ->
            if c <= o && c >= 0L then
                None
            else
                Some "DBSIZE: CoolCache counts more keys than Redis"
        | LiveCount, _, _ -> Some "replies differ (kind)"
        | HelloReply, Some(Map _), Some(Map _)
        | HelloReply, Some(Array _), Some(Array _) -> None
        | HelloReply, _, _ -> Some "HELLO replies are of different kinds"
        | RandomKey, Some(NullBulk | Null), Some(NullBulk | Null) -> Some "replies differ (null encoding)"
        | RandomKey, Some(Bulk _), Some(Bulk c) when isPoolKey c || GenSort.isSortKey c || GenStreams.isAutoKey c ->
            None
        | RandomKey, _, _ -> Some "RANDOMKEY: not both nil / both a key"

let private replyKey =
    function
    | Bulk b -> Convert.ToHexString b
    | other -> sprintf "%A" other

/// SRANDMEMBER (RandomMembers): o/c are the replies, om/cm the replies of the SMEMBERS that followed.
let compareRandomMembers (distinct: bool) (o: byte[]) (om: byte[]) (c: byte[]) (cm: byte[]) : string option =
    let elements =
        function
        | Array xs
        | Set xs -> Some(List.map replyKey xs)
        | _ -> None

    match tryParse o, tryParse om, tryParse c, tryParse cm with
    | _, _, None, _
    | _, _, _, None -> Some "candidate reply is not valid RESP"
    | None, _, _, _
    | _, None, _, _ -> Some "oracle reply is not valid RESP (harness bug?)"
    | Some ro, Some rom, Some rc, Some rcm ->
        match elements rom, elements rcm with
        | Some so, Some sc when Set.ofList so <> Set.ofList sc -> Some "the sets differ (SMEMBERS after the step)"
        | Some _, Some sc ->
            let members = Set.ofList sc

            match ro, rc with
            | Bulk _, Bulk b when members.Contains(replyKey (Bulk b)) -> None
            | Bulk _, Bulk _ -> Some "SRANDMEMBER: not a member"
            | Array os, Array cs ->
                let ks = List.map replyKey cs

                if os.Length <> cs.Length then
                    Some "SRANDMEMBER: a different number of elements"
                elif not (List.forall members.Contains ks) then
                    Some "SRANDMEMBER: an element is not a member"
                elif distinct && (List.distinct ks).Length <> ks.Length then
                    Some "SRANDMEMBER: repeated elements for a non-negative count"
                else
                    None
            | _ when sameBytes o c -> None
            | _ -> Some "replies differ"
        | _ when sameBytes o c && sameBytes om cm -> None
        | _ -> Some "replies differ"

/// ZRANDMEMBER (RandomScored): args of the step; o/c its replies, oz/cz the replies of the ZRANGE
/// key 0 -1 WITHSCORES that followed.
let compareRandomScored (args: byte[] list) (o: byte[]) (oz: byte[]) (c: byte[]) (cz: byte[]) : string option =
    let text =
        function
        | Bulk b
        | Double b -> Some(Encoding.Latin1.GetString b)
        | _ -> None

    /// (member, score) pairs of a flat RESP2 array or of RESP3 [member, score] pairs.
    let pairs (r: Reply) =
        match r with
        | Array(Array _ :: _ as xs) ->
            xs
            |> List.map (function
                | Array [ m; sc ] -> (text m, text sc)
                | _ -> (None, None))
        | Array xs when xs.Length % 2 = 0 -> xs |> List.chunkBySize 2 |> List.map (fun p -> (text p[0], text p[1]))
        | _ -> []

    let withScores = args.Length = 4

    match tryParse o, tryParse oz, tryParse c, tryParse cz with
    | _, _, None, _
    | _, _, _, None -> Some "candidate reply is not valid RESP"
    | None, _, _, _
    | _, None, _, _ -> Some "oracle reply is not valid RESP (harness bug?)"
    | Some ro, Some _, Some rc, Some rcz ->
        if not (sameBytes oz cz) then
            Some "the sorted sets differ (ZRANGE after the step)"
        elif sameBytes o c then
            None
        elif isError ro || isError rc then
            Some "replies differ (error)"
        else
            let set = pairs rcz |> Map.ofList

            match ro, rc with
            | Bulk _, Bulk b when set.ContainsKey(text (Bulk b)) -> None
            | Bulk _, Bulk _ -> Some "ZRANDMEMBER: not a member"
            | Array os, Array cs when os.Length <> cs.Length -> Some "ZRANDMEMBER: a different number of elements"
            | Array _, Array cs ->
                let drawn =
                    if withScores then
                        pairs rc
                    else
                        cs |> List.map (fun m -> (text m, set.TryFind(text m) |> Option.flatten))

                let count = Int64.Parse(Encoding.ASCII.GetString(List.item 2 args))

                if count >= int64 set.Count then
                    // Not random: the whole set, in the order Redis walks it (highest score first).
                    Some "ZRANDMEMBER: a count past the size answers the whole set in Redis's order"
                elif withScores && drawn.Length * 2 <> cs.Length && drawn.Length <> cs.Length then
                    Some "ZRANDMEMBER: malformed WITHSCORES reply"
                elif not (drawn |> List.forall (fun (m, sc) -> set.ContainsKey m && set[m] = sc)) then
                    Some "ZRANDMEMBER: an element (or its score) is not in the set"
                elif count >= 0L && (List.distinct drawn).Length <> drawn.Length then
                    Some "ZRANDMEMBER: repeated elements for a non-negative count"
                else
                    None
            | _ -> Some "replies differ"

/// A lex read (LexRange): o/c its replies, oe/ce the OBJECT ENCODING and oz/cz the ZRANGE ... WITHSCORES
/// replies that followed.
let compareLexRange (o: byte[]) (oe: byte[]) (oz: byte[]) (c: byte[]) (ce: byte[]) (cz: byte[]) : string option =
    let scores =
        match tryParse oz with
        | Some(Array(Array _ :: _ as xs)) ->
            xs
            |> List.map (function
                | Array [ _; s ] -> s
                | other -> other)
        | Some(Array xs) -> xs |> List.chunkBySize 2 |> List.map List.last
        | _ -> []

    if not (sameBytes oe ce && sameBytes oz cz) then
        Some "the sorted sets differ (OBJECT ENCODING / ZRANGE after the step)"
    elif sameBytes o c then
        None
    elif tryParse oe = Some(Bulk(latin1 "skiplist")) && (List.distinct scores).Length > 1 then
        None
    else
        Some "replies differ"

// Running sequences -------------------------------------------------------------------------------

/// One line of a transcript: the command, both replies, and what is wrong (if anything).
type Line =
    {
        Command: string
        Oracle: string
        Candidate: string
        Problem: string option
    }

/// The two servers and one connection to each.
type Pair =
    {
        Oracle: Target
        Candidate: Target
        mutable OracleClient: RawClient
        mutable CandidateClient: RawClient
    }

    member p.Reconnect() =
        task {
            p.OracleClient.Dispose()
            p.CandidateClient.Dispose()
            let! o = RawClient.ConnectAsync p.Oracle.Port
            let! c = RawClient.ConnectAsync p.Candidate.Port
            p.OracleClient <- o
            p.CandidateClient <- c
        }

let private startPair () : Task<Pair> =
    task {
        let! oracle = startOracle ()
        let! candidate = startCoolCache ()
        let! o = RawClient.ConnectAsync oracle.Port
        let! c = RawClient.ConnectAsync candidate.Port

        // Redis processes also die with the process via RedisProcess; this stops an in-process host.
        AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
            for t in [ candidate; oracle ] do
                try
                    t.Stop().AsTask().Wait(TimeSpan.FromSeconds 5.0) |> ignore
                with _ ->
                    ())

        return
            {
                Oracle = oracle
                Candidate = candidate
                OracleClient = o
                CandidateClient = c
            }
    }

/// One pair of servers for the whole run (tests in this list are sequenced).
let private sharedPair = lazy (startPair ())

let private getPair () =
    RedisProcess.requireRedisServer ()
    sharedPair.Force()

let private both (pair: Pair) (cmds: byte[] list list) =
    task {
        let o = pair.OracleClient.SendBatch cmds
        let c = pair.CandidateClient.SendBatch cmds
        let! _ = Task.WhenAll(o, c)
        return o.Result, c.Result
    }

let private prelude =
    [
        [ "SELECT"; "0" ]
        [ "FLUSHALL" ]
        [ "CONFIG"; "SET"; "set-max-intset-entries"; "512" ]
        [ "CONFIG"; "SET"; "stream-node-max-entries"; "100" ]
    ]
    |> List.map (List.map latin1)

/// A full SCAN iteration on one connection (args: the first `before` arguments as generated (SCAN,
/// or SSCAN key), then the options that follow the cursor): Ok sorted distinct keys, or Error raw
/// error reply.
let private scanAll (client: RawClient) (before: int) (args: byte[] list) : Task<Result<string list, byte[]>> =
    task {
        let name, opts = List.take before args, List.skip before args
        let mutable cursor = "0"
        let keys = Collections.Generic.HashSet<string>()
        let mutable result = None
        let mutable rounds = 0

        while result.IsNone do
            let! raw = client.Send(name @ latin1 cursor :: opts)
            rounds <- rounds + 1

            match parseReply raw with
            | Array [ Bulk next; Array items ] ->
                for i in items do
                    match i with
                    | Bulk k -> keys.Add(escape k) |> ignore
                    | other -> failwithf "SCAN returned a non-bulk key %A" other

                cursor <- Encoding.ASCII.GetString next

                if cursor = "0" then
                    result <- Some(Ok(keys |> Seq.sort |> List.ofSeq))
                elif rounds > 100_000 then
                    failwith "SCAN did not terminate after 100000 rounds"
            | _ -> result <- Some(Result.Error raw)

        return result.Value
    }

// Hash pseudo-commands (HashScanAll, RandomFields) ----------------------------------------------

/// A full HSCAN iteration on one connection (args: HSCAN as generated, the key, then the options
/// after the cursor): Ok sorted distinct "field => value" lines, or Error raw error reply.
let private hscanAll (client: RawClient) (args: byte[] list) : Task<Result<string list, byte[]>> =
    task {
        let name, key, opts = List.head args, List.item 1 args, List.skip 2 args
        let mutable cursor = "0"
        let pairs = Collections.Generic.HashSet<string>()
        let mutable result = None
        let mutable rounds = 0

        while result.IsNone do
            let! raw = client.Send(name :: key :: latin1 cursor :: opts)
            rounds <- rounds + 1

            match parseReply raw with
            | Array [ Bulk next; Array items ] when items.Length % 2 = 0 ->
                for p in List.chunkBySize 2 items do
                    match p with
                    | [ Bulk f; Bulk v ] -> pairs.Add(escape f + " => " + escape v) |> ignore
                    | other -> failwithf "HSCAN returned a non-bulk item %A" other

                cursor <- Encoding.ASCII.GetString next

                if cursor = "0" then
                    result <- Some(Ok(pairs |> Seq.sort |> List.ofSeq))
                elif rounds > 100_000 then
                    failwith "HSCAN did not terminate after 100000 rounds"
            | _ -> result <- Some(Result.Error raw)

        return result.Value
    }

/// HRANDFIELD's raw reply on one connection, and that server's hash right after (HGETALL).
let private randomFieldsOn (client: RawClient) (args: byte[] list) : Task<byte[] * Map<string, string>> =
    task {
        let! raw = client.Send args
        let! all = client.Send [ latin1 "HGETALL"; List.item 1 args ]

        let hash =
            match tryParse all |> Option.bind pairsOf with
            | Some(_, ps) -> Map.ofList ps
            | None -> Map.empty

        return raw, hash
    }

/// Checks a (non-error) HRANDFIELD reply against the hash it was drawn from: Ok its shape, or
/// Error what is wrong. Lengths follow t_hash.c: no count = one field (nil when empty); count 0 or
/// an empty hash = empty; negative = |count| draws; positive = min(count, size) distinct fields.
let private checkRandomFields (args: byte[] list) (reply: Reply) (hash: Map<string, string>) =
    let withValues = args.Length = 4

    match List.tryItem 2 args with
    | None ->
        match reply with
        | NullBulk
        | Null when hash.IsEmpty -> Ok "nil"
        | Bulk f when hash.ContainsKey(escape f) -> Ok "bulk"
        | _ -> Result.Error "without a count: neither nil for an empty hash nor a field of the hash"
    | Some countText ->
        let n =
            Int64.Parse(Encoding.ASCII.GetString countText, Globalization.CultureInfo.InvariantCulture)

        let size = int64 hash.Count

        let expected =
            if size = 0L || n = 0L then 0L
            elif n < 0L then -n
            else min n size

        let isBulk =
            function
            | Bulk _ -> true
            | _ -> false

        let isPair =
            function
            | Array [ Bulk _; Bulk _ ] -> true
            | _ -> false

        let entries =
            match reply with
            | Array [] -> Ok("empty", [])
            | Array xs when withValues && List.forall isPair xs ->
                Ok(
                    "pairs",
                    xs
                    |> List.map (function
                        | Array [ Bulk f; Bulk v ] -> escape f, Some(escape v)
                        | _ -> "", None)
                )
            | Array xs when withValues && xs.Length % 2 = 0 && List.forall isBulk xs ->
                Ok(
                    "flat",
                    xs
                    |> List.chunkBySize 2
                    |> List.map (function
                        | [ Bulk f; Bulk v ] -> escape f, Some(escape v)
                        | _ -> "", None)
                )
            | Array xs when not withValues && List.forall isBulk xs ->
                Ok(
                    "fields",
                    xs
                    |> List.map (function
                        | Bulk f -> escape f, None
                        | _ -> "", None)
                )
            | _ -> Result.Error "not an array of the expected shape"

        match entries with
        | Result.Error e -> Result.Error e
        | Ok(shape, es) ->
            let fields = List.map fst es

            if int64 es.Length <> expected then
                Result.Error $"{es.Length} entries, expected {expected}"
            elif
                es
                |> List.exists (fun (f, v) ->
                    match hash.TryFind f, v with
                    | Some _, None -> false
                    | Some x, Some y -> x <> y
                    | None, _ -> true)
            then
                Result.Error "an entry that is not in the hash"
            elif n > 0L && List.distinct fields <> fields then
                Result.Error "repeated fields for a positive count"
            else
                Ok shape

/// None when both servers' HRANDFIELD replies are valid draws of the same shape from equal hashes.
let private compareRandomFields
    (args: byte[] list)
    ((o: byte[]), (oHash: Map<string, string>))
    ((c: byte[]), (cHash: Map<string, string>))
    =
    if oHash <> cHash then
        Some "the hashes differ (HGETALL after HRANDFIELD)"
    elif sameBytes o c then
        None
    else
        match tryParse o, tryParse c with
        | _, None -> Some "candidate reply is not valid RESP"
        | None, _ -> Some "oracle reply is not valid RESP (harness bug?)"
        | Some ro, Some rc when isError ro || isError rc -> Some "replies differ (error)"
        | Some ro, Some rc ->
            match checkRandomFields args ro oHash, checkRandomFields args rc cHash with
            | Ok a, Ok b when a = b -> None
            | Ok a, Ok b -> Some $"HRANDFIELD shapes differ: {a} vs {b}"
            | Result.Error e, _ -> Some $"oracle HRANDFIELD: {e} (harness bug?)"
            | _, Result.Error e -> Some $"HRANDFIELD: {e}"

/// Clears a stale errno in the servers (see FreshErrno): accepting a connection ends Redis's accept
/// loop on EAGAIN. The connection answers a PING before the next step is sent.
let private resetErrno (pair: Pair) : Task =
    task {
        for target in [ pair.Oracle; pair.Candidate ] do
            use! client = RawClient.ConnectAsync target.Port
            let! _ = client.Send [ latin1 "PING" ]
            ()
    }

/// Steps that run on their own (not pipelined) because the harness drives them.
let private isPseudo (cmp: Compare) =
    match cmp with
    | ScanAll
    | MemberScanAll
    | HashScanAll
    | RandomFields
    | FreshErrno -> true
    | _ -> false

/// Runs a sequence on both servers (after FLUSHALL) and returns the transcript.
let runSequence (pair: Pair) (steps: Step list) : Task<Line list> =
    task {
        let lines = ResizeArray<Line>()

        let record (cmp: Compare) (cmdText: string) (o: byte[]) (c: byte[]) =
            lines.Add
                {
                    Command = cmdText
                    Oracle = escape o
                    Candidate = escape c
                    Problem = compareReplies cmp o c
                }

        try
            // prelude and each run of ordinary steps are pipelined; SCAN splits the pipeline
            let! po, pc = both pair prelude

            for i in 0 .. prelude.Length - 1 do
                record Exact (formatCommand prelude[i]) po[i] pc[i]

            let show =
                function
                | Ok keys -> "keys {" + String.Join(", ", keys |> List.map (fun k -> "\"" + k + "\"")) + "}"
                | Result.Error raw -> escape raw

            let mutable remaining = steps

            let isScan (s: Step) =
                s.Compare = ScanAll || s.Compare = MemberScanAll

            while not remaining.IsEmpty do
                match remaining with
                | scan :: rest when isScan scan ->
                    let before = if scan.Compare = ScanAll then 1 else 2
                    let! o = scanAll pair.OracleClient before scan.Args
                    let! c = scanAll pair.CandidateClient before scan.Args

                    lines.Add
                        {
                            Command = formatStep scan
                            Oracle = show o
                            Candidate = show c
                            Problem =
                                match o, c with
                                | Ok a, Ok b when a = b -> None
                                | Result.Error a, Result.Error b when sameBytes a b -> None
                                | _ when before = 1 -> Some "SCAN key sets differ"
                                | _ -> Some "SSCAN member sets differ"
                        }

                    remaining <- rest
                | step :: rest when step.Compare = HashScanAll ->
                    let! o = hscanAll pair.OracleClient step.Args
                    let! c = hscanAll pair.CandidateClient step.Args

                    let showPairs =
                        function
                        | Ok(pairs: string list) -> "pairs {" + String.Join(", ", pairs) + "}"
                        | Result.Error raw -> escape raw

                    lines.Add
                        {
                            Command = formatStep step
                            Oracle = showPairs o
                            Candidate = showPairs c
                            Problem =
                                match o, c with
                                | Ok a, Ok b when a = b -> None
                                | Result.Error a, Result.Error b when sameBytes a b -> None
                                | _ -> Some "HSCAN/ZSCAN (field, value) sets differ"
                        }

                    remaining <- rest
                | step :: rest when step.Compare = FreshErrno ->
                    do! resetErrno pair
                    let! o = pair.OracleClient.Send step.Args
                    let! c = pair.CandidateClient.Send step.Args
                    record FreshErrno (formatStep step) o c
                    remaining <- rest
                | step :: rest when step.Compare = RandomFields ->
                    let! o = randomFieldsOn pair.OracleClient step.Args
                    let! c = randomFieldsOn pair.CandidateClient step.Args

                    lines.Add
                        {
                            Command = formatStep step
                            Oracle = escape (fst o)
                            Candidate = escape (fst c)
                            Problem = compareRandomFields step.Args o c
                        }

                    remaining <- rest
                | _ ->
                    let batch = remaining |> List.takeWhile (fun s -> not (isPseudo s.Compare))

                    // RandomMembers steps are followed by SMEMBERS key, compared together with them.
                    let commandsOf (s: Step) =
                        match s.Compare with
                        | RandomMembers _ -> [ s.Args; [ latin1 "SMEMBERS"; s.Args[1] ] ]
                        | RandomScored ->
                            [
                                s.Args
                                [ latin1 "ZRANGE"; s.Args[1]; latin1 "0"; latin1 "-1"; latin1 "WITHSCORES" ]
                            ]
                        | LexRange ->
                            [
                                s.Args
                                [ latin1 "OBJECT"; latin1 "ENCODING"; s.Args[1] ]
                                [ latin1 "ZRANGE"; s.Args[1]; latin1 "0"; latin1 "-1"; latin1 "WITHSCORES" ]
                            ]
                        | _ -> [ s.Args ]

                    let! o, c = both pair (batch |> List.collect commandsOf)
                    let mutable i = 0

                    for s in batch do
                        match s.Compare with
                        | RandomMembers distinct ->
                            lines.Add
                                {
                                    Command = formatStep s + "  (+ SMEMBERS)"
                                    Oracle = escape o[i] + "  SMEMBERS: " + escape o[i + 1]
                                    Candidate = escape c[i] + "  SMEMBERS: " + escape c[i + 1]
                                    Problem = compareRandomMembers distinct o[i] o[i + 1] c[i] c[i + 1]
                                }

                            i <- i + 2
                        | RandomScored ->
                            lines.Add
                                {
                                    Command = formatStep s + "  (+ ZRANGE WITHSCORES)"
                                    Oracle = escape o[i] + "  ZRANGE: " + escape o[i + 1]
                                    Candidate = escape c[i] + "  ZRANGE: " + escape c[i + 1]
                                    Problem = compareRandomScored s.Args o[i] o[i + 1] c[i] c[i + 1]
                                }

                            i <- i + 2
                        | LexRange ->
                            lines.Add
                                {
                                    Command = formatStep s + "  (+ OBJECT ENCODING, ZRANGE WITHSCORES)"
                                    Oracle = escape o[i] + "  " + escape o[i + 1] + "  ZRANGE: " + escape o[i + 2]
                                    Candidate = escape c[i] + "  " + escape c[i + 1] + "  ZRANGE: " + escape c[i + 2]
                                    Problem = compareLexRange o[i] o[i + 1] o[i + 2] c[i] c[i + 1] c[i + 2]
                                }

                            i <- i + 3
                        | _ ->
                            record s.Compare (formatStep s) o[i] c[i]
                            i <- i + 1

                    remaining <- List.skip batch.Length remaining
        with e ->
            lines.Add
                {
                    Command = "<harness>"
                    Oracle = ""
                    Candidate = ""
                    Problem = Some $"exception: {e.GetType().Name}: {e.Message}"
                }

        // protocol switches (HELLO) or a broken connection must not leak into the next sequence
        if switchesProtocol steps || lines |> Seq.exists (fun l -> l.Command = "<harness>") then
            do! pair.Reconnect()

        return List.ofSeq lines
    }

let private hasProblem (lines: Line list) =
    lines |> List.exists (fun l -> l.Problem.IsSome)

let private render (pair: Pair) (lines: Line list) =
    let sb = StringBuilder()

    for i, l in List.indexed lines do
        let mark = if l.Problem.IsSome then ">>" else "  "
        sb.AppendLine $"{mark} {i, 3}  {l.Command}" |> ignore

        if l.Problem.IsSome then
            sb.AppendLine $"          {pair.Oracle.Name}: {l.Oracle}" |> ignore
            sb.AppendLine $"          {pair.Candidate.Name}: {l.Candidate}" |> ignore
            sb.AppendLine $"          problem: {l.Problem.Value}" |> ignore
        else
            sb.AppendLine $"          both: {l.Oracle}" |> ignore

    sb.ToString()

/// Greedy shrinking: drop steps one at a time while the sequence still fails (bounded effort).
let private minimise (pair: Pair) (steps: Step list) : Task<Step list * Line list> =
    task {
        let mutable current = steps
        let! first = runSequence pair current
        let mutable currentLines = first
        let mutable i = 0
        let mutable budget = 400

        while i < current.Length && budget > 0 do
            budget <- budget - 1
            let candidate = current |> List.removeAt i
            let! lines = runSequence pair candidate

            if hasProblem lines then
                current <- candidate
                currentLines <- lines
            else
                i <- i + 1

        return current, currentLines
    }

let private envInt (name: string) (fallback: int) =
    match Environment.GetEnvironmentVariable name with
    | null
    | "" -> fallback
    | s -> int s

let private baseSeed () =
    match Environment.GetEnvironmentVariable "COOLCACHE_DIFF_SEED" with
    | null
    | "" -> uint64 (Random.Shared.NextInt64 Int64.MaxValue)
    | s -> UInt64.Parse s

// Tests ------------------------------------------------------------------------------------------

/// Per command name: how often it ran, how many oracle replies were errors, how many distinct
/// oracle replies it had (printed with COOLCACHE_DIFF_COVERAGE=1 to judge the generator).
type private Coverage() =
    let stats =
        Collections.Generic.Dictionary<string, int ref * int ref * Collections.Generic.HashSet<string>>()

    member _.Add(lines: Line list) =
        for l in lines do
            let name =
                let first = l.Command.Split(' ')
                let n = first[0].Trim('"').ToUpperInvariant()

                if n.Length > 20 then n.Substring(0, 20) else n

            let total, errors, distinct =
                match stats.TryGetValue name with
                | true, s -> s
                | _ ->
                    let s = ref 0, ref 0, Collections.Generic.HashSet<string>()
                    stats[name] <- s
                    s

            total.Value <- total.Value + 1

            if l.Oracle.StartsWith "-" || l.Oracle.StartsWith "!" then
                errors.Value <- errors.Value + 1

            if distinct.Count < 10000 then
                distinct.Add l.Oracle |> ignore

    member _.Print() =
        printfn "%-22s %8s %8s %9s" "command" "count" "errors" "distinct"

        for KeyValue(name, (total, errors, distinct)) in stats |> Seq.sortBy (fun kv -> kv.Key) do
            printfn "%-22s %8d %8d %9d" name total.Value errors.Value distinct.Count

/// Runs count(COOLCACHE_DIFF_SEQUENCES) / share generated sequences (generate: seed -> steps; generator
/// names it in the replay hint) and fails on the first that the two servers disagree on.
let private generatedSequencesWith (name: string) (generate: uint64 -> Step list) (generator: string) (share: int) =
    testTask name {
        let! pair = getPair ()
        let count = max 1 (envInt "COOLCACHE_DIFF_SEQUENCES" 5000 / share)
        let seed0 = baseSeed ()
        let sw = Stopwatch.StartNew()
        let mutable commands = 0
        let mutable failure = None
        let mutable i = 0
        let coverage = Coverage()

        while failure.IsNone && i < count do
            let seed = seed0 + uint64 i
            let steps = generate seed
            let! (lines: Line list) = runSequence pair steps
            commands <- commands + lines.Length
            coverage.Add lines

            if hasProblem lines then
                failure <- Some(seed, steps, lines)

            i <- i + 1

        sw.Stop()

        match failure with
        | None ->
            printfn
                "Differential: %d sequences (%d commands incl. prelude) in %.1fs = %.0f sequences/s; %s vs %s; base seed %d"
                count
                commands
                sw.Elapsed.TotalSeconds
                (float count / sw.Elapsed.TotalSeconds)
                pair.Oracle.Name
                pair.Candidate.Name
                seed0

            if Environment.GetEnvironmentVariable "COOLCACHE_DIFF_COVERAGE" = "1" then
                coverage.Print()
        | Some(seed, steps, lines) ->
            let! (small: Step list), (smallLines: Line list) = minimise pair steps

            failtestf
                "%s and %s disagree on sequence #%d (seed %d: Gen.sampleWithSeed (CommandGen.rndForSeed %dUL) 50 1 %s).\nReplay: COOLCACHE_DIFF_SEED=%d COOLCACHE_DIFF_SEQUENCES=%d\n\nFull sequence (%d commands):\n%s\nMinimised (%d commands):\n%s"
                pair.Oracle.Name
                pair.Candidate.Name
                (i - 1)
                seed
                seed
                generator
                seed
                share
                steps.Length
                (render pair lines)
                small.Length
                (render pair smallLines)
    }

let private generatedSequences =
    generatedSequencesWith
        "generated command sequences get byte-identical replies from redis and CoolCache"
        sequenceForSeed
        "CommandGen.sequence"
        1

/// Sequences of mostly sorted set commands (a fifth as many), so that sets grow, convert and meet.
let private sortedSetSequences =
    generatedSequencesWith
        "generated sorted set sequences get byte-identical replies from redis and CoolCache"
        (fun seed ->
            FsCheck.FSharp.Gen.sampleWithSeed (rndForSeed seed) 50 1 GenSortedSets.sequence
            |> Array.head)
        "GenSortedSets.sequence"
        5

/// Sequences of mostly stream commands (a fifth as many), after a random stream node size, so that
/// streams grow over several nodes, get groups and pending entries, and are trimmed.
let private streamSequences =
    generatedSequencesWith
        "generated stream sequences get byte-identical replies from redis and CoolCache"
        (fun seed ->
            FsCheck.FSharp.Gen.sampleWithSeed (rndForSeed seed) 50 1 GenStreams.sequence
            |> Array.head)
        "GenStreams.sequence"
        5

/// Runs string commands on both servers (after FLUSHALL), checks the servers agree on every
/// reply, and returns the oracle's replies as escaped strings.
let private agree (cmds: string list list) : Task<string list> =
    task {
        let! pair = getPair ()

        let! lines =
            runSequence
                pair
                [
                    for c in cmds ->
                        {
                            Args = List.map latin1 c
                            Compare = Exact
                        }
                ]

        if hasProblem lines then
            failtestf "servers disagree:\n%s" (render pair lines)

        return lines |> List.skip prelude.Length |> List.map _.Oracle
    }

let private scenario (name: string) (cmds: string list list) (expected: string list) =
    testTask name {
        let! replies = agree cmds
        Expect.equal replies expected "replies (escaped RESP)"
    }

let private scenarios =
    [
        scenario
            "SET with GET on a missing key replies nil and sets"
            [ [ "SET"; "k"; "v"; "GET" ]; [ "GET"; "k" ] ]
            [ "$-1\\r\\n"; "$1\\r\\nv\\r\\n" ]
        scenario
            "KEYS with an escaped star matches only a literal star"
            [ [ "MSET"; "a*"; "1"; "ab"; "2"; "a"; "3" ]; [ "KEYS"; "a\\*" ] ]
            [ "+OK\\r\\n"; "*1\\r\\n$2\\r\\na*\\r\\n" ]
        scenario "RENAME of a missing key is an error" [ [ "RENAME"; "nokey"; "other" ] ] [ "-ERR no such key\\r\\n" ]
        scenario
            "INCR on a non-integer value is an error and keeps the value"
            [ [ "SET"; "k"; "abc" ]; [ "INCR"; "k" ]; [ "GET"; "k" ] ]
            [
                "+OK\\r\\n"
                "-ERR value is not an integer or out of range\\r\\n"
                "$3\\r\\nabc\\r\\n"
            ]
        scenario
            "INCRBY past int64 max is an overflow error"
            [ [ "SET"; "k"; "1" ]; [ "INCRBY"; "k"; "9223372036854775807" ] ]
            [ "+OK\\r\\n"; "-ERR increment or decrement would overflow\\r\\n" ]
        scenario
            "an unknown command's error quotes the command and its first args"
            [ [ "foo"; "a"; "b" ] ]
            [ "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \\r\\n" ]
        scenario
            "GETRANGE with negative indexes counts from the end"
            [
                [ "SET"; "k"; "Hello World" ]
                [ "GETRANGE"; "k"; "-5"; "-1" ]
                [ "GETRANGE"; "k"; "5"; "1" ]
            ]
            [ "+OK\\r\\n"; "$5\\r\\nWorld\\r\\n"; "$0\\r\\n\\r\\n" ]
        scenario
            "SETRANGE beyond 512MB is an error"
            [ [ "SETRANGE"; "k"; "536870912"; "x" ] ]
            [ "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\\r\\n" ]
        scenario
            "EXPIRE GT on a key without TTL does nothing (no TTL counts as infinite)"
            [ [ "SET"; "k"; "v" ]; [ "EXPIRE"; "k"; "100"; "GT" ]; [ "TTL"; "k" ] ]
            [ "+OK\\r\\n"; ":0\\r\\n"; ":-1\\r\\n" ]
        testTask "after HELLO 3 a missing key is the RESP3 null" {
            let! pair = getPair ()

            let steps =
                [
                    {
                        Args = [ latin1 "HELLO"; latin1 "3" ]
                        Compare = HelloReply
                    }
                    {
                        Args = [ latin1 "GET"; latin1 "missing" ]
                        Compare = Exact
                    }
                ]

            let! (lines: Line list) = runSequence pair steps

            if hasProblem lines then
                failtestf "servers disagree:\n%s" (render pair lines)

            Expect.equal (List.last lines).Oracle "_\\r\\n" "RESP3 null"
        }
        scenario
            "SET with EX and PX together is a syntax error"
            [ [ "SET"; "k"; "v"; "EX"; "10"; "PX"; "10000" ] ]
            [ "-ERR syntax error\\r\\n" ]
        scenario
            "an intset lists its members in ascending order and turns into a hashtable past the limit"
            [
                [ "SADD"; "s"; "3"; "-1"; "2" ]
                [ "SMEMBERS"; "s" ]
                [ "CONFIG"; "SET"; "set-max-intset-entries"; "3" ]
                [ "SADD"; "s"; "4" ]
                [ "OBJECT"; "ENCODING"; "s" ]
            ]
            [
                ":3\\r\\n"
                "*3\\r\\n$2\\r\\n-1\\r\\n$1\\r\\n2\\r\\n$1\\r\\n3\\r\\n"
                "+OK\\r\\n"
                ":1\\r\\n"
                "$9\\r\\nhashtable\\r\\n"
            ]
        scenario
            "SPOP with a count no set reaches pops the whole set and deletes the key"
            [ [ "SADD"; "s"; "a" ]; [ "SPOP"; "s"; "10" ]; [ "EXISTS"; "s" ] ]
            [ ":1\\r\\n"; "*1\\r\\n$1\\r\\na\\r\\n"; ":0\\r\\n" ]
    ]

let private selfChecks =
    [
        test "every Compare mode is documented in deliberateDifferences" {
            for tag in
                [
                    "IntWithin"
                    "LiveCount"
                    "HelloReply"
                    "RandomKey"
                    "SortedArray"
                    "ScanAll"
                    "SortedPairs"
                    "HashScanAll"
                    "RandomFields"
                    "RandomMembers"
                    "MemberScanAll"
                    "RandomScored"
                    "FreshErrno"
                    "LexRange"
                ] do
                Expect.isTrue
                    (deliberateDifferences |> List.exists (fun (what, _) -> what.Contains tag))
                    $"{tag} is listed"
        }
        test "the RESP framer splits pipelined RESP2/RESP3 replies" {
            let data =
                latin1
                    "+OK\r\n$-1\r\n*2\r\n:1\r\n*-1\r\n%1\r\n+a\r\n~1\r\n,1.5\r\n_\r\n#t\r\n(12\r\n=7\r\ntxt:abc\r\n|1\r\n+k\r\n+v\r\n:3\r\n!3\r\nERR\r\n>1\r\n$0\r\n\r\n"

            let mutable pos = 0
            let replies = ResizeArray()

            while pos < data.Length do
                match tryParseAt data pos data.Length with
                | Some(r, p) ->
                    replies.Add r
                    pos <- p
                | None -> failtest "incomplete"

            Expect.equal replies.Count 11 "reply count"
            Expect.equal (tryParseAt data 0 3) None "partial simple string needs more data"
            Expect.equal (tryParseAt (latin1 "$5\r\nab") 0 6) None "partial bulk needs more data"
        }
        test "the generator is deterministic per seed" {
            Expect.equal (sequenceForSeed 42UL) (sequenceForSeed 42UL) "same seed, same sequence"
        }
    ]

let tests =
    testSequenced (
        testList
            "Differential"
            [
                yield! selfChecks
                yield generatedSequences
                yield sortedSetSequences
                yield streamSequences
                yield! scenarios
            ]
    )
