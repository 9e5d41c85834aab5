/// Every error a command can answer, as values, and the one place their texts live (Redis's shared
/// error objects in server.c and the addReplyError calls of each command file).
namespace CoolCache.Core.Commands

open System
open CoolCache.Core
open CoolCache.Core.Protocol

[<RequireQualifiedAccess>]
type RedisError =
    | WrongType
    | WrongArity of command: string
    | UnknownCommand of name: Bytes * args: Bytes[]
    | UnknownSubcommand of sub: Bytes * container: string
    | Syntax
    | NotInteger
    | NotFloat
    | Overflow
    | DecrementOverflow
    | IncrementNanOrInfinity
    | NoSuchKey
    | SameObject
    | InvalidExpireTime of command: string
    | UnsupportedOption of option: Bytes
    | ExpireNxConflict
    | ExpireGtLtConflict
    | OffsetOutOfRange
    | StringTooLong
    | DbIndexOutOfRange
    | InvalidFirstDbIndex
    | InvalidSecondDbIndex
    | InvalidCursor
    | NoAuth
    | WrongPass
    | AuthNotConfigured
    | NoProto
    | ProtocolVersionNotInteger
    | HelloSyntax of option: Bytes
    | ClientNameInvalid
    | NoSuchClient
    | TimeoutNegative
    | TimeoutNotInteger
    | LcsNotString
    | LcsLenAndIdx
    | LfuNotSelected
    | LruNotSelected
    | ConfigUnknownOption of name: string
    | ConfigSetFailed of name: string * reason: string
    | ConfigImmutable of name: string
    | ConfigDuplicate of name: string
    | DebugNotAllowed
    | UnknownDebugSubcommand of sub: Bytes
    | ShutdownFlags
    | InvalidCommandName of name: Bytes
    | InvalidTimeout
    | UnblockReason
    /// addReplySubcommandSyntaxError: a known subcommand used with the wrong arguments.
    | SubcommandSyntax of sub: Bytes * container: string
    | Unblocked
    // DUMP / RESTORE (cluster.c)
    | BusyKey
    | InvalidTtl
    | InvalidIdleTime
    | InvalidFreq
    | DumpPayloadWrong
    | BadDataFormat
    // transactions (multi.c)
    | MultiNested
    | ExecWithoutMulti
    | DiscardWithoutMulti
    | WatchInMulti
    | ExecAbort
    /// EXEC itself rejected by a gate (arity, auth): multi.c execCommandAbort wraps that error.
    | ExecAbortBecause of RedisError
    | NotAllowedInMulti
    // hashes (t_hash.c)
    | HashNotInteger
    | HashNotFloat
    | ValueNanOrInfinity
    | ValueOutOfRange
    | NotPositive
    | OutOfRangeBetween of min: int64 * max: int64
    | NumkeysNotPositive
    | NumkeysTooMany
    | LimitNegative
    // lists (t_list.c)
    | IndexOutOfRange
    | CountNotPositive
    | LposRankZero
    | LposCountNegative
    | LposMaxLenNegative
    // sorted sets (t_zset.c)
    | NxAndXx
    | GtLtAndNx
    | IncrSinglePair
    | ScoreIsNaN
    | MinMaxNotFloat
    | MinMaxNotLexItem
    | LimitNeedsByScoreOrLex
    | WithScoresAndByLex
    | NoInputKeys of command: string
    | WeightNotFloat
    // sort (sort.c)
    | SortScoreNotDouble
    // streams (t_stream.c)
    | InvalidStreamId
    | StreamIdNotGreater
    | StreamIdZero
    | StreamExhausted
    | StreamElementsTooLarge
    | MaxLenNegative
    | StreamLimitNegative
    | MaxLenAndMinId
    | LimitWithoutStrategy
    | LimitWithoutApprox
    | XtrimWithoutStrategy
    | InvalidStartId
    | InvalidEndId
    | XsetidBelowTop
    | XsetidEntriesAddedBelowLength
    | EntriesAddedNegative
    | XsetidBelowMaxDeleted
    | UnbalancedStreams
    | GroupOptionInXread
    | NoackOptionInXread
    | MissingGroupOption
    | DollarInXreadgroup
    | GreaterIdInXread
    | NoGroupForXreadgroup of key: Bytes * group: Bytes
    | NoGroupBlocked
    | StreamKeyGone
    | NoKeyOrGroup of key: Bytes * group: Bytes
    | NoSuchGroup of group: Bytes * key: Bytes
    | BusyGroup
    | XgroupNeedsKey
    | EntriesReadNegative
    | XclaimMinIdle
    | XclaimIdle
    | XclaimTime
    | XclaimRetryCount
    | XclaimOption of option: Bytes
    | XautoclaimMinIdle
    | XautoclaimCount
    | XautoclaimCountTooHigh
    // pub/sub (server.c processCommand)
    /// A RESP2 client with subscriptions ran a command other than (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT, RESET.
    | SubscribedContext of command: string
    /// SSUBSCRIBE run by EXEC (a CLIENT_DENY_BLOCKING client; SUBSCRIBE and PSUBSCRIBE are let through there).
    | SsubscribeDenyBlocking
    // maxmemory (server.c processCommand, shared.oomerr)
    /// Used memory is over maxmemory and eviction could not free enough, for a DENYOOM command (or any inside MULTI).
    | OutOfMemory
    | Custom of text: string

module RedisError =
    /// Redis's %s of a C string: stops at the first NUL; newlines in errors become spaces.
    let private cstr (b: Bytes) (max: int) =
        let n =
            match Array.IndexOf(b, 0uy) with
            | -1 -> b.Length
            | i -> i

        Text.Encoding.Latin1.GetString(b, 0, min n max)

    let private unknownCommand (name: Bytes) (args: Bytes[]) =
        let sb = Text.StringBuilder()
        let mutable i = 0

        while i < args.Length && sb.Length < 128 do
            let room = 128 - sb.Length
            sb.Append('\'').Append(cstr args[i] room).Append("' ") |> ignore
            i <- i + 1

        sprintf "ERR unknown command '%s', with args beginning with: %s" (cstr name 128) (sb.ToString())

    /// The full error text (prefix included).
    let rec text (e: RedisError) : string =
        match e with
        | RedisError.WrongType -> "WRONGTYPE Operation against a key holding the wrong kind of value"
        | RedisError.WrongArity cmd -> sprintf "ERR wrong number of arguments for '%s' command" cmd
        | RedisError.UnknownCommand(name, args) -> unknownCommand name args
        | RedisError.UnknownSubcommand(sub, container) ->
            sprintf "ERR unknown subcommand '%s'. Try %s HELP." (cstr sub 128) container
        | RedisError.Syntax -> "ERR syntax error"
        | RedisError.NotInteger -> "ERR value is not an integer or out of range"
        | RedisError.NotFloat -> "ERR value is not a valid float"
        | RedisError.Overflow -> "ERR increment or decrement would overflow"
        | RedisError.DecrementOverflow -> "ERR decrement would overflow"
        | RedisError.IncrementNanOrInfinity -> "ERR increment would produce NaN or Infinity"
        | RedisError.NoSuchKey -> "ERR no such key"
        | RedisError.SameObject -> "ERR source and destination objects are the same"
        | RedisError.InvalidExpireTime cmd -> sprintf "ERR invalid expire time in '%s' command" cmd
        | RedisError.UnsupportedOption opt -> sprintf "ERR Unsupported option %s" (cstr opt Int32.MaxValue)
        | RedisError.ExpireNxConflict -> "ERR NX and XX, GT or LT options at the same time are not compatible"
        | RedisError.ExpireGtLtConflict -> "ERR GT and LT options at the same time are not compatible"
        | RedisError.OffsetOutOfRange -> "ERR offset is out of range"
        | RedisError.StringTooLong -> "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
        | RedisError.DbIndexOutOfRange -> "ERR DB index is out of range"
        | RedisError.InvalidFirstDbIndex -> "ERR invalid first DB index"
        | RedisError.InvalidSecondDbIndex -> "ERR invalid second DB index"
        | RedisError.InvalidCursor -> "ERR invalid cursor"
        | RedisError.NoAuth -> "NOAUTH Authentication required."
        | RedisError.WrongPass -> "WRONGPASS invalid username-password pair or user is disabled."
        | RedisError.AuthNotConfigured ->
            "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
        | RedisError.NoProto -> "NOPROTO unsupported protocol version"
        | RedisError.ProtocolVersionNotInteger -> "ERR Protocol version is not an integer or out of range"
        | RedisError.HelloSyntax opt -> sprintf "ERR Syntax error in HELLO option '%s'" (cstr opt Int32.MaxValue)
        | RedisError.ClientNameInvalid -> "ERR Client names cannot contain spaces, newlines or special characters."
        | RedisError.NoSuchClient -> "ERR No such client"
        | RedisError.TimeoutNegative -> "ERR timeout is negative"
        | RedisError.TimeoutNotInteger -> "ERR timeout is not an integer or out of range"
        | RedisError.LcsNotString -> "ERR The specified keys must contain string values"
        | RedisError.LcsLenAndIdx -> "ERR If you want both the length and indexes, please just use IDX."
        | RedisError.LfuNotSelected ->
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
        | RedisError.LruNotSelected ->
            "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
        | RedisError.ConfigUnknownOption name ->
            sprintf "ERR Unknown option or number of arguments for CONFIG SET - '%s'" name
        | RedisError.ConfigSetFailed(name, reason) ->
            sprintf "ERR CONFIG SET failed (possibly related to argument '%s') - %s" name reason
        | RedisError.ConfigImmutable name ->
            sprintf "ERR CONFIG SET failed (possibly related to argument '%s') - can't set immutable config" name
        | RedisError.ConfigDuplicate name ->
            sprintf "ERR CONFIG SET failed (possibly related to argument '%s') - duplicate parameter" name
        | RedisError.DebugNotAllowed ->
            "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
        | RedisError.UnknownDebugSubcommand sub ->
            sprintf "ERR unknown subcommand or wrong number of arguments for '%s'. Try DEBUG HELP." (cstr sub 128)
        | RedisError.ShutdownFlags -> "ERR syntax error"
        | RedisError.InvalidCommandName name -> sprintf "ERR Invalid command specified: %s" (cstr name 128)
        | RedisError.InvalidTimeout -> "ERR timeout is not a float or out of range"
        | RedisError.SubcommandSyntax(sub, container) ->
            sprintf
                "ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP."
                (cstr sub 128)
                container
        | RedisError.UnblockReason -> "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
        | RedisError.Unblocked -> "UNBLOCKED client unblocked via CLIENT UNBLOCK"
        | RedisError.BusyKey -> "BUSYKEY Target key name already exists."
        | RedisError.InvalidTtl -> "ERR Invalid TTL value, must be >= 0"
        | RedisError.InvalidIdleTime -> "ERR Invalid IDLETIME value, must be >= 0"
        | RedisError.InvalidFreq -> "ERR Invalid FREQ value, must be >= 0 and <= 255"
        | RedisError.DumpPayloadWrong -> "ERR DUMP payload version or checksum are wrong"
        | RedisError.BadDataFormat -> "ERR Bad data format"
        | RedisError.MultiNested -> "ERR MULTI calls can not be nested"
        | RedisError.ExecWithoutMulti -> "ERR EXEC without MULTI"
        | RedisError.DiscardWithoutMulti -> "ERR DISCARD without MULTI"
        | RedisError.WatchInMulti -> "ERR WATCH inside MULTI is not allowed"
        | RedisError.ExecAbort -> "EXECABORT Transaction discarded because of previous errors."
        | RedisError.ExecAbortBecause inner ->
            let t = text inner
            let t = if t.StartsWith "ERR " then t.Substring 4 else t
            "EXECABORT Transaction discarded because of: " + t
        | RedisError.NotAllowedInMulti -> "ERR Command not allowed inside a transaction"
        | RedisError.HashNotInteger -> "ERR hash value is not an integer"
        | RedisError.HashNotFloat -> "ERR hash value is not a float"
        | RedisError.ValueNanOrInfinity -> "ERR value is NaN or Infinity"
        | RedisError.ValueOutOfRange -> "ERR value is out of range"
        | RedisError.NotPositive -> "ERR value is out of range, must be positive"
        | RedisError.OutOfRangeBetween(lo, hi) ->
            sprintf "ERR value is out of range, value must between %d and %d" lo hi
        | RedisError.NumkeysNotPositive -> "ERR numkeys should be greater than 0"
        | RedisError.NumkeysTooMany -> "ERR Number of keys can't be greater than number of args"
        | RedisError.LimitNegative -> "ERR LIMIT can't be negative"
        | RedisError.IndexOutOfRange -> "ERR index out of range"
        | RedisError.CountNotPositive -> "ERR count should be greater than 0"
        | RedisError.LposRankZero ->
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
        | RedisError.LposCountNegative -> "ERR COUNT can't be negative"
        | RedisError.LposMaxLenNegative -> "ERR MAXLEN can't be negative"
        | RedisError.NxAndXx -> "ERR XX and NX options at the same time are not compatible"
        | RedisError.GtLtAndNx -> "ERR GT, LT, and/or NX options at the same time are not compatible"
        | RedisError.IncrSinglePair -> "ERR INCR option supports a single increment-element pair"
        | RedisError.ScoreIsNaN -> "ERR resulting score is not a number (NaN)"
        | RedisError.MinMaxNotFloat -> "ERR min or max is not a float"
        | RedisError.MinMaxNotLexItem -> "ERR min or max not valid string range item"
        | RedisError.LimitNeedsByScoreOrLex ->
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
        | RedisError.WithScoresAndByLex -> "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
        | RedisError.NoInputKeys cmd -> sprintf "ERR at least 1 input key is needed for '%s' command" cmd
        | RedisError.WeightNotFloat -> "ERR weight value is not a float"
        | RedisError.SortScoreNotDouble -> "ERR One or more scores can't be converted into double"
        | RedisError.InvalidStreamId -> "ERR Invalid stream ID specified as stream command argument"
        | RedisError.StreamIdNotGreater ->
            "ERR The ID specified in XADD is equal or smaller than the target stream top item"
        | RedisError.StreamIdZero -> "ERR The ID specified in XADD must be greater than 0-0"
        | RedisError.StreamExhausted -> "ERR The stream has exhausted the last possible ID, unable to add more items"
        | RedisError.StreamElementsTooLarge -> "ERR Elements are too large to be stored"
        | RedisError.MaxLenNegative -> "ERR The MAXLEN argument must be >= 0."
        | RedisError.StreamLimitNegative -> "ERR The LIMIT argument must be >= 0."
        | RedisError.MaxLenAndMinId -> "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
        | RedisError.LimitWithoutStrategy ->
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
        | RedisError.LimitWithoutApprox -> "ERR syntax error, LIMIT cannot be used without the special ~ option"
        | RedisError.XtrimWithoutStrategy -> "ERR syntax error, XTRIM must be called with a trimming strategy"
        | RedisError.InvalidStartId -> "ERR invalid start ID for the interval"
        | RedisError.InvalidEndId -> "ERR invalid end ID for the interval"
        | RedisError.XsetidBelowTop -> "ERR The ID specified in XSETID is smaller than the target stream top item"
        | RedisError.XsetidEntriesAddedBelowLength ->
            "ERR The entries_added specified in XSETID is smaller than the target stream length"
        | RedisError.EntriesAddedNegative -> "ERR entries_added must be positive"
        | RedisError.XsetidBelowMaxDeleted ->
            "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
        | RedisError.UnbalancedStreams ->
            "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
        | RedisError.GroupOptionInXread ->
            "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
        | RedisError.NoackOptionInXread ->
            "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
        | RedisError.MissingGroupOption -> "ERR Missing GROUP option for XREADGROUP"
        | RedisError.DollarInXreadgroup ->
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."
        | RedisError.GreaterIdInXread ->
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
        | RedisError.NoGroupForXreadgroup(key, group) ->
            sprintf
                "NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option"
                (cstr key Int32.MaxValue)
                (cstr group Int32.MaxValue)
        | RedisError.NoGroupBlocked -> "NOGROUP the consumer group this client was blocked on no longer exists"
        | RedisError.StreamKeyGone -> "UNBLOCKED the stream key no longer exists"
        | RedisError.NoKeyOrGroup(key, group) ->
            sprintf
                "NOGROUP No such key '%s' or consumer group '%s'"
                (cstr key Int32.MaxValue)
                (cstr group Int32.MaxValue)
        | RedisError.NoSuchGroup(group, key) ->
            sprintf
                "NOGROUP No such consumer group '%s' for key name '%s'"
                (cstr group Int32.MaxValue)
                (cstr key Int32.MaxValue)
        | RedisError.BusyGroup -> "BUSYGROUP Consumer Group name already exists"
        | RedisError.XgroupNeedsKey ->
            "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
        | RedisError.EntriesReadNegative -> "ERR value for ENTRIESREAD must be positive or -1"
        | RedisError.XclaimMinIdle -> "ERR Invalid min-idle-time argument for XCLAIM"
        | RedisError.XclaimIdle -> "ERR Invalid IDLE option argument for XCLAIM"
        | RedisError.XclaimTime -> "ERR Invalid TIME option argument for XCLAIM"
        | RedisError.XclaimRetryCount -> "ERR Invalid RETRYCOUNT option argument for XCLAIM"
        | RedisError.XclaimOption opt -> sprintf "ERR Unrecognized XCLAIM option '%s'" (cstr opt Int32.MaxValue)
        | RedisError.XautoclaimMinIdle -> "ERR Invalid min-idle-time argument for XAUTOCLAIM"
        | RedisError.XautoclaimCount -> "ERR COUNT must be > 0"
        | RedisError.XautoclaimCountTooHigh ->
            "ERR Insufficient memory, failed allocating transient memory, COUNT too high."
        | RedisError.SubscribedContext cmd ->
            sprintf
                "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
                cmd
        | RedisError.SsubscribeDenyBlocking -> "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"
        | RedisError.OutOfMemory -> "OOM command not allowed when used memory > 'maxmemory'."
        | RedisError.Custom t -> t
        |> fun s -> s.Replace('\r', ' ').Replace('\n', ' ')

    let toResp (e: RedisError) = RespValue.Error(text e)
