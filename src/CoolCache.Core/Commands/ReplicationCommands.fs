/// REPLCONF PSYNC SYNC WAIT REPLICAOF SLAVEOF ROLE (replication.c): the arguments are checked here with
/// Redis's errors; what they do concerns connections and the replication stream, so the host carries it
/// out (Effect.Replication) and writes the reply.
module CoolCache.Core.Commands.ReplicationCommands

open CoolCache.Core
open CoolCache.Core.Commands.Args

let private hostDoes (request: ReplicationRequest) (s: State.Session) (w: State.World) =
    { Outcome.ok s w with
        Effects = [ Effect.Replication request ]
        Silent = true
    }

// REPLCONF option value [option value ...]
let replconf: Handler =
    fun _ s argv w ->
        if argv.Length % 2 = 0 then
            Outcome.error RedisError.Syntax s w
        else
            hostDoes (ReplicationRequest.Replconf argv[1..]) s w

// PSYNC replicationid offset
let psync: Handler =
    fun _ s argv w ->
        match Numbers.tryParseInt64 argv[2] with
        | ValueSome offset -> hostDoes (ReplicationRequest.Psync(Bytes.toLatin1 argv[1], offset)) s w
        | ValueNone -> Outcome.error RedisError.NotInteger s w

// SYNC
let sync: Handler =
    fun _ s _ w -> hostDoes (ReplicationRequest.Psync(null, -1L)) s w

// WAIT numreplicas timeout
let wait: Handler =
    fun _ s argv w ->
        match readInt64 argv[1] with
        | Error e -> Outcome.error e s w
        | Ok replicas ->
            match Numbers.tryParseInt64 argv[2] with
            | ValueNone -> Outcome.error (RedisError.Custom "ERR timeout is not an integer or out of range") s w
            | ValueSome t when t < 0L -> Outcome.error (RedisError.Custom "ERR timeout is negative") s w
            | ValueSome t -> hostDoes (ReplicationRequest.Wait(replicas, t)) s w

// REPLICAOF host port | REPLICAOF NO ONE (SLAVEOF the same)
let replicaof: Handler =
    fun _ s argv w ->
        if is "NO" argv[1] && is "ONE" argv[2] then
            hostDoes (ReplicationRequest.ReplicaOf(null, 0)) s w
        else
            match readInt64 argv[2] with
            | Error e -> Outcome.error e s w
            | Ok port when port <= 0L || port > 65535L ->
                Outcome.error (RedisError.Custom "ERR Invalid master port") s w
            | Ok port -> hostDoes (ReplicationRequest.ReplicaOf(Bytes.toLatin1 argv[1], int port)) s w

// ROLE
let role: Handler = fun _ s _ w -> hostDoes ReplicationRequest.Role s w
