/// COMMAND, COMMAND COUNT|INFO|DOCS|LIST|HELP rendered from the command table (Redis 7 reply shapes:
/// addReplyCommandInfo / addReplyCommandDocs in server.c).
module CoolCache.Core.Commands.CommandDocs

open CoolCache.Core
open CoolCache.Core.Protocol
open CoolCache.Core.Commands.Args

let private flagNames =
    [
        CommandFlags.Write, "write"
        CommandFlags.ReadOnly, "readonly"
        CommandFlags.DenyOom, "denyoom"
        CommandFlags.Admin, "admin"
        CommandFlags.PubSub, "pubsub"
        CommandFlags.NoScript, "noscript"
        CommandFlags.Blocking, "blocking"
        CommandFlags.Loading, "loading"
        CommandFlags.Stale, "stale"
        CommandFlags.Fast, "fast"
        CommandFlags.NoAuth, "no_auth"
        CommandFlags.MayReplicate, "may_replicate"
        CommandFlags.NoMulti, "no_multi"
        CommandFlags.AllowBusy, "allow_busy"
    ]

let private has (f: CommandFlags) (spec: CommandSpec) = spec.Flags &&& f <> CommandFlags.None

/// ACL categories derived from flags and group, in Redis's category order (acl.c ACLCommandCategories):
/// keyspace read write set sortedset list hash string ... admin fast slow blocking dangerous connection transaction.
let categories (spec: CommandSpec) =
    let group (g: CommandGroup) = spec.Group = g

    [
        if group CommandGroup.Generic then
            "@keyspace"
        if has CommandFlags.ReadOnly spec then
            "@read"
        if has CommandFlags.Write spec then
            "@write"
        match spec.Group with
        | CommandGroup.Set -> "@set"
        | CommandGroup.SortedSet -> "@sortedset"
        | CommandGroup.List -> "@list"
        | CommandGroup.Hash -> "@hash"
        | CommandGroup.String -> "@string"
        | CommandGroup.Stream -> "@stream"
        | _ -> ()
        if has CommandFlags.PubSub spec then
            "@pubsub"
        if has CommandFlags.Admin spec then
            "@admin"
        if has CommandFlags.Fast spec then "@fast" else "@slow"
        if has CommandFlags.Blocking spec then
            "@blocking"
        if has CommandFlags.Admin spec then
            "@dangerous"
        if group CommandGroup.Connection then
            "@connection"
        if group CommandGroup.Transaction then
            "@transaction"
    ]

let private keyRange (spec: CommandSpec) =
    match spec.Keys with
    | KeySpec.NoKeys -> 0, 0, 0
    | KeySpec.Range(first, last, step) -> first, last, step
    | KeySpec.Numkeys _ -> 0, 0, 0
    | KeySpec.Keyword _ -> 0, 0, 0

/// The flag names COMMAND INFO shows; movablekeys (derived from a keynum key spec) in Redis's place.
let private flagList (spec: CommandSpec) =
    let movable =
        match spec.Keys with
        | KeySpec.Numkeys _
        | KeySpec.Keyword _ -> true
        | _ -> false

    [
        for f, name in flagNames do
            if f = CommandFlags.AllowBusy && movable then
                "movablekeys"

            if has f spec then
                name
    ]

let private str (s: string) = RespValue.ofString s

let rec info (spec: CommandSpec) : RespValue =
    let first, last, step = keyRange spec

    let keySpecs =
        match spec.Keys with
        | KeySpec.NoKeys -> [||]
        | KeySpec.Range(first, last, step) ->
            [|
                RespValue.Map
                    [|
                        struct (str "flags", RespValue.Set [||])
                        struct (str "begin_search",
                                RespValue.Map
                                    [|
                                        struct (str "type", str "index")
                                        struct (str "spec",
                                                RespValue.Map [| struct (str "index", RespValue.Integer(int64 first)) |])
                                    |])
                        struct (str "find_keys",
                                RespValue.Map
                                    [|
                                        struct (str "type", str "range")
                                        struct (str "spec",
                                                RespValue.Map
                                                    [|
                                                        struct (str "lastkey",
                                                                RespValue.Integer(
                                                                    int64 (if last < 0 then last else last - first)
                                                                ))
                                                        struct (str "keystep", RespValue.Integer(int64 step))
                                                        struct (str "limit", RespValue.Integer 0L)
                                                    |])
                                    |])
                    |]
            |]
        | KeySpec.Numkeys index ->
            [|
                RespValue.Map
                    [|
                        struct (str "flags", RespValue.Set [||])
                        struct (str "begin_search",
                                RespValue.Map
                                    [|
                                        struct (str "type", str "index")
                                        struct (str "spec",
                                                RespValue.Map [| struct (str "index", RespValue.Integer(int64 index)) |])
                                    |])
                        struct (str "find_keys",
                                RespValue.Map
                                    [|
                                        struct (str "type", str "keynum")
                                        struct (str "spec",
                                                RespValue.Map
                                                    [|
                                                        struct (str "keynumidx", RespValue.Integer 0L)
                                                        struct (str "firstkey", RespValue.Integer 1L)
                                                        struct (str "keystep", RespValue.Integer 1L)
                                                    |])
                                    |])
                    |]
            |]

        | KeySpec.Keyword keyword ->
            [|
                RespValue.Map
                    [|
                        struct (str "flags", RespValue.Set [||])
                        struct (str "begin_search",
                                RespValue.Map
                                    [|
                                        struct (str "type", str "keyword")
                                        struct (str "spec",
                                                RespValue.Map
                                                    [|
                                                        struct (str "keyword", str keyword)
                                                        struct (str "startfrom", RespValue.Integer 1L)
                                                    |])
                                    |])
                        struct (str "find_keys",
                                RespValue.Map
                                    [|
                                        struct (str "type", str "range")
                                        struct (str "spec",
                                                RespValue.Map
                                                    [|
                                                        struct (str "lastkey", RespValue.Integer -1L)
                                                        struct (str "keystep", RespValue.Integer 1L)
                                                        struct (str "limit", RespValue.Integer 2L)
                                                    |])
                                    |])
                    |]
            |]

    RespValue.Array
        [|
            str spec.FullName
            RespValue.Integer(int64 spec.Arity)
            RespValue.Set(flagList spec |> List.map RespValue.Simple |> Array.ofList)
            RespValue.Integer(int64 first)
            RespValue.Integer(int64 last)
            RespValue.Integer(int64 step)
            RespValue.Set(categories spec |> List.map RespValue.Simple |> Array.ofList)
            RespValue.Set [||]
            RespValue.Array keySpecs
            RespValue.Array(spec.Subcommands |> List.map info |> Array.ofList)
        |]

let private groupName (g: CommandGroup) =
    match g with
    | CommandGroup.String -> "string"
    | CommandGroup.Generic -> "generic"
    | CommandGroup.Connection -> "connection"
    | CommandGroup.Server -> "server"
    | CommandGroup.List -> "list"
    | CommandGroup.Hash -> "hash"
    | CommandGroup.Set -> "set"
    | CommandGroup.SortedSet -> "sorted-set"
    | CommandGroup.Transaction -> "transactions"
    | CommandGroup.Stream -> "stream"
    | CommandGroup.PubSub -> "pubsub"

let rec docs (spec: CommandSpec) : RespValue =
    RespValue.Map
        [|
            yield struct (str "summary", str spec.Summary)
            yield struct (str "since", str spec.Since)
            yield struct (str "group", str (groupName spec.Group))
            yield struct (str "complexity", str spec.Complexity)
            if not spec.Subcommands.IsEmpty then
                yield
                    struct (str "subcommands",
                            RespValue.Map(
                                spec.Subcommands
                                |> List.map (fun sub -> struct (str sub.FullName, docs sub))
                                |> Array.ofList
                            ))
        |]

/// Top-level specs and their subcommands, flattened.
let private everyName (table: CommandSpec list) =
    table
    |> List.collect (fun c -> c :: c.Subcommands)
    |> List.map (fun c -> c.FullName)

/// Find a spec by "name" or "container|sub" (case-insensitive).
let tryFind (table: CommandSpec list) (name: string) =
    let name = name.ToLowerInvariant()

    table
    |> List.collect (fun c -> c :: c.Subcommands)
    |> List.tryFind (fun c -> c.FullName = name)

// COMMAND
let command (table: CommandSpec list) : Handler =
    fun _ s _ w -> Outcome.reply (RespValue.Array(table |> List.map info |> Array.ofList)) s w

// COMMAND COUNT
let count (table: CommandSpec list) : Handler =
    fun _ s _ w -> Outcome.reply (RespValue.Integer(int64 table.Length)) s w

// COMMAND INFO [command-name ...]
let commandInfo (table: CommandSpec list) : Handler =
    fun _ s argv w ->
        let replies =
            if argv.Length = 2 then
                table |> List.map info |> Array.ofList
            else
                argv[2..]
                |> Array.map (fun n ->
                    match tryFind table (Bytes.toLatin1 n) with
                    | Some spec -> info spec
                    | None -> RespValue.NullArray)

        Outcome.reply (RespValue.Array replies) s w

// COMMAND DOCS [command-name ...]
let commandDocs (table: CommandSpec list) : Handler =
    fun _ s argv w ->
        let specs =
            if argv.Length = 2 then
                table
            else
                argv[2..]
                |> Array.choose (fun n -> tryFind table (Bytes.toLatin1 n))
                |> List.ofArray

        Outcome.reply (RespValue.Map(specs |> List.map (fun c -> struct (str c.FullName, docs c)) |> Array.ofList)) s w

// COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]
let list (table: CommandSpec list) : Handler =
    fun _ s argv w ->
        let names = everyName table

        let filtered =
            if argv.Length = 2 then
                Ok names
            elif argv.Length = 5 && is "FILTERBY" argv[2] then
                let value = Bytes.toLatin1 argv[4]

                if is "MODULE" argv[3] then
                    Ok []
                elif is "ACLCAT" argv[3] then
                    let cat = "@" + value.ToLowerInvariant()

                    Ok(
                        names
                        |> List.filter (fun n ->
                            tryFind table n |> Option.exists (fun c -> List.contains cat (categories c)))
                    )
                elif is "PATTERN" argv[3] then
                    Ok(names |> List.filter (fun n -> Glob.isMatch argv[4] (Bytes.ofString n) true))
                else
                    Error RedisError.Syntax
            else
                Error RedisError.Syntax

        match filtered with
        | Ok names -> Outcome.reply (RespValue.Array(names |> List.map str |> Array.ofList)) s w
        | Error e -> Outcome.error e s w

// COMMAND HELP
let help: Handler =
    fun _ s argv w ->
        let lines =
            [
                "(no subcommand)"
                "    Return details about all Redis commands."
                "COUNT"
                "    Return the total number of commands in this Redis server."
                "LIST"
                "    Return a list of all commands in this Redis server."
                "INFO [<command-name> ...]"
                "    Return details about multiple Redis commands."
                "    If no command names are given, documentation details for all"
                "    commands are returned."
                "DOCS [<command-name> ...]"
                "    Return documentation details about multiple Redis commands."
                "    If no command names are given, documentation details for all"
                "    commands are returned."
            ]

        Outcome.reply (KeyCommands.helpReply argv[0] lines) s w
