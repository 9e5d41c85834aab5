/// Consumer groups of a stream (t_stream.c streamCG, streamConsumer, streamNACK): groups and their
/// consumers by name in Redis's rax order, the group PEL by ID with each entry's consumer, delivery
/// time and count, and each consumer's own pending IDs. Every function returns new values (the group
/// trees are persistent; a stream's groups are shared by its snapshots at no cost).
module CoolCache.Core.Values.StreamGroups

open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Values
open CoolCache.Core.Values.RedisStream


let private groupProbe (name: Bytes) =
    {
        Name = name
        LastId = StreamId.zero
        EntriesRead = 0L
        Pel = Tree.empty
        Consumers = Tree.empty
    }

let private consumerProbe (name: Bytes) =
    {
        Name = name
        SeenTime = 0L
        Pending = Tree.empty
    }

/// The group called name (streamLookupCG). O(log groups).
let tryGroup (name: Bytes) (s: RedisStream) =
    Tree.tryFind StreamComparers.Groups (groupProbe name) s.Groups

/// The stream with g stored under its name (added or replaced). O(log groups).
let withGroup (g: ConsumerGroup) (s: RedisStream) =
    { s with
        Groups = Tree.insertSorted StreamComparers.Groups g s.Groups
    }

/// A new group (streamCreateCG); ValueNone when the name is taken.
let tryCreateGroup (name: Bytes) (lastId: StreamId) (entriesRead: int64) (s: RedisStream) =
    match tryGroup name s with
    | ValueSome _ -> ValueNone
    | ValueNone ->
        ValueSome(
            withGroup
                {
                    Name = name
                    LastId = lastId
                    EntriesRead = entriesRead
                    Pel = Tree.empty
                    Consumers = Tree.empty
                }
                s
        )

/// The stream without the group called name (the same stream when there is none).
let removeGroup (name: Bytes) (s: RedisStream) =
    { s with
        Groups = Tree.removeSorted StreamComparers.Groups (groupProbe name) s.Groups
    }

/// The consumer called name (streamLookupConsumer without refreshing). O(log consumers).
let tryConsumer (name: Bytes) (g: ConsumerGroup) =
    Tree.tryFind StreamComparers.Consumers (consumerProbe name) g.Consumers

/// The group with c stored under its name (added or replaced).
let withConsumer (c: StreamConsumer) (g: ConsumerGroup) =
    { g with
        Consumers = Tree.insertSorted StreamComparers.Consumers c g.Consumers
    }

/// streamCreateConsumer: the group with a new consumer seen now, or ValueNone when it exists.
let tryCreateConsumer (name: Bytes) (now: int64) (g: ConsumerGroup) =
    match tryConsumer name g with
    | ValueSome _ -> ValueNone
    | ValueNone ->
        ValueSome(
            withConsumer
                {
                    Name = name
                    SeenTime = now
                    Pending = Tree.empty
                }
                g
        )

/// streamLookupConsumer (refreshing) or streamCreateConsumer: the consumer seen now, the group
/// holding it, and whether it was created.
let seeConsumer (name: Bytes) (now: int64) (g: ConsumerGroup) : struct (StreamConsumer * ConsumerGroup * bool) =
    match tryConsumer name g with
    | ValueSome c ->
        let c = { c with SeenTime = now }
        struct (c, withConsumer c g, false)
    | ValueNone ->
        let c =
            {
                Name = name
                SeenTime = now
                Pending = Tree.empty
            }

        struct (c, withConsumer c g, true)

/// streamDelConsumer: the group without the consumer and its pending entries, and how many it
/// had pending; ValueNone when there is no such consumer.
let tryDeleteConsumer (name: Bytes) (g: ConsumerGroup) : struct (ConsumerGroup * int) voption =
    match tryConsumer name g with
    | ValueNone -> ValueNone
    | ValueSome c ->
        let mutable pel = g.Pel

        for id in c.Pending do
            pel <-
                Tree.removeSorted
                    StreamComparers.Pending
                    {
                        Id = id
                        Consumer = null
                        DeliveryTime = 0L
                        DeliveryCount = 0L
                    }
                    pel

        ValueSome(
            struct ({ g with
                        Pel = pel
                        Consumers = Tree.removeSorted StreamComparers.Consumers c g.Consumers
                    },
                    c.Pending.Count)
        )

let private pendingProbe (id: StreamId) =
    {
        Id = id
        Consumer = null
        DeliveryTime = 0L
        DeliveryCount = 0L
    }

/// The group PEL entry for id, if any. O(log pending).
let tryPending (id: StreamId) (g: ConsumerGroup) =
    Tree.tryFind StreamComparers.Pending (pendingProbe id) g.Pel

/// The group PEL entries with start <= ID <= finish, in ID order. O(log n + k).
let pendingRange (start: StreamId) (finish: StreamId) (g: ConsumerGroup) : PendingEntry[] =
    let lo = RedisStream.lowerBoundBy (fun (p: PendingEntry) -> p.Id) start g.Pel

    let hi =
        match StreamId.tryIncr finish with
        | ValueSome next -> RedisStream.lowerBoundBy (fun (p: PendingEntry) -> p.Id) next g.Pel
        | ValueNone -> g.Pel.Count

    if hi <= lo then
        [||]
    else
        let out = Array.zeroCreate (hi - lo)
        Tree.copyRange lo (hi - lo) out 0 g.Pel
        out

/// A consumer's pending IDs with start <= ID <= finish, in order. O(log n + k).
let consumerPendingRange (start: StreamId) (finish: StreamId) (c: StreamConsumer) : StreamId[] =
    let lo = RedisStream.lowerBoundBy id start c.Pending

    let hi =
        match StreamId.tryIncr finish with
        | ValueSome next -> RedisStream.lowerBoundBy id next c.Pending
        | ValueNone -> c.Pending.Count

    if hi <= lo then
        [||]
    else
        let out = Array.zeroCreate (hi - lo)
        Tree.copyRange lo (hi - lo) out 0 c.Pending
        out

/// The group without the PEL entry for id (in the group PEL and its consumer's).
let removePending (p: PendingEntry) (g: ConsumerGroup) =
    let g =
        { g with
            Pel = Tree.removeSorted StreamComparers.Pending p g.Pel
        }

    match tryConsumer p.Consumer g with
    | ValueSome c ->
        withConsumer
            { c with
                Pending = Tree.removeSorted StreamComparers.Ids p.Id c.Pending
            }
            g
    | ValueNone -> g

/// The group with p stored in its PEL and in p.Consumer's PEL (the consumer must exist); when
/// another consumer owned the ID, it is taken from that consumer's PEL.
let setPending (p: PendingEntry) (g: ConsumerGroup) =
    let g =
        match tryPending p.Id g with
        | ValueSome old when not (Bytes.equals old.Consumer p.Consumer) ->
            match tryConsumer old.Consumer g with
            | ValueSome c ->
                withConsumer
                    { c with
                        Pending = Tree.removeSorted StreamComparers.Ids p.Id c.Pending
                    }
                    g
            | ValueNone -> g
        | _ -> g

    let g =
        { g with
            Pel = Tree.insertSorted StreamComparers.Pending p g.Pel
        }

    match tryConsumer p.Consumer g with
    | ValueSome c ->
        withConsumer
            { c with
                Pending = Tree.insertSorted StreamComparers.Ids p.Id c.Pending
            }
            g
    | ValueNone -> g

/// Deliver new entries to a consumer (streamReplyWithRange with a group): the entries from
/// start on (at most count, 0 = all); each one past the group's last ID moves it (and the
/// entries-read counter) forward, and unless noack enters the PEL for the consumer, taking it
/// from another consumer (delivery count 1) if it was pending there. The consumer must exist.
let deliver
    (s: RedisStream)
    (start: StreamId)
    (count: int)
    (noack: bool)
    (consumer: Bytes)
    (now: int64)
    (g: ConsumerGroup)
    : struct (StreamEntry[] * ConsumerGroup) =
    let entries = range start StreamId.max count false s
    let mutable g = g

    for e in entries do
        if StreamId.compare e.Id g.LastId > 0 then
            let read =
                if
                    g.EntriesRead <> InvalidEntriesRead
                    && not (rangeHasTombstones e.Id StreamId.max s)
                then
                    g.EntriesRead + 1L
                elif s.EntriesAdded <> 0L then
                    estimateEntriesRead e.Id s
                else
                    g.EntriesRead

            g <-
                { g with
                    LastId = e.Id
                    EntriesRead = read
                }

        if not noack then
            g <-
                setPending
                    {
                        Id = e.Id
                        Consumer = consumer
                        DeliveryTime = now
                        DeliveryCount = 1L
                    }
                    g

    struct (entries, g)

/// Re-deliver a consumer's pending entries from start on (streamReplyWithRangeFromConsumerPEL):
/// each ID with its entry (ValueNone when deleted since; its delivery is then not counted).
let deliverHistory
    (s: RedisStream)
    (start: StreamId)
    (count: int)
    (consumer: StreamConsumer)
    (now: int64)
    (g: ConsumerGroup)
    : struct (struct (StreamId * StreamEntry voption)[] * ConsumerGroup) =
    let ids = consumerPendingRange start StreamId.max consumer

    let ids =
        if count > 0 && count < ids.Length then
            Array.sub ids 0 count
        else
            ids

    let mutable pel = g.Pel
    let out = Array.zeroCreate ids.Length

    for i in 0 .. ids.Length - 1 do
        let id = ids[i]

        match tryFind id s with
        | ValueSome e ->
            match Tree.tryFind StreamComparers.Pending (pendingProbe id) pel with
            | ValueSome p ->
                pel <-
                    Tree.insertSorted
                        StreamComparers.Pending
                        { p with
                            DeliveryTime = now
                            DeliveryCount = p.DeliveryCount + 1L
                        }
                        pel
            | ValueNone -> ()

            out[i] <- struct (id, ValueSome e)
        | ValueNone -> out[i] <- struct (id, ValueNone)

    struct (out, { g with Pel = pel })
