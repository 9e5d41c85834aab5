/// The server-wide pub/sub index (pubsub.c: server.pubsub_channels, pubsub_patterns,
/// pubsubshard_channels): which sessions receive a message published to a channel. Subscribers are
/// session ids in the order they subscribed, as Redis 7.0 delivers to a channel's client list. The
/// index is immutable and its subscriber arrays are copied on write, so a Delivery carries them as
/// they are: a PUBLISH allocates no receiver list.
namespace CoolCache.Core.State

open CoolCache.Core
open CoolCache.Core.Collections

/// The first element of a delivered push ("message", "pmessage", "smessage").
[<RequireQualifiedAccess>]
type MessageKind =
    | Message
    | PMessage
    | SMessage

/// One message for some subscribers (addReplyPubsubMessage / addReplyPubsubPatMessage): the host
/// renders it once per protocol and copies the bytes to each receiver.
type Delivery =
    {
        Kind: MessageKind
        /// The pattern that matched (pmessage only; empty otherwise).
        Pattern: Bytes
        Channel: Bytes
        Message: Bytes
        /// Session ids in subscription order. Shared with the index: never written.
        Receivers: int64[]
    }

type PatternSubscribers =
    {
        Pattern: Bytes
        /// Session ids in subscription order, never empty.
        Subscribers: int64[]
    }

type PubSubIndex =
    {
        Channels: HashMap<Bytes, int64[]>
        /// In order of first subscription; a pattern nobody subscribes to any more is removed.
        Patterns: PatternSubscribers[]
        ShardChannels: HashMap<Bytes, int64[]>
    }

module PubSubIndex =
    let empty =
        {
            Channels = HashMap.empty BytesComparer.Instance
            Patterns = [||]
            ShardChannels = HashMap.empty BytesComparer.Instance
        }

    let private append (xs: 'T[]) (x: 'T) =
        let bigger = Array.zeroCreate (xs.Length + 1)
        xs.CopyTo(bigger, 0)
        bigger[xs.Length] <- x
        bigger

    /// The ids without id (order kept); empty when id was the last one.
    let private without (ids: int64[]) (id: int64) =
        match System.Array.IndexOf(ids, id) with
        | -1 -> ids
        | i -> Array.append ids[.. i - 1] ids[i + 1 ..]

    let private addTo (channel: Bytes) (id: int64) (map: HashMap<Bytes, int64[]>) =
        HashMap.change
            channel
            (function
            | ValueSome ids -> ValueSome(append ids id)
            | ValueNone -> ValueSome [| id |])
            map

    let private removeFrom (channel: Bytes) (id: int64) (map: HashMap<Bytes, int64[]>) =
        HashMap.change
            channel
            (function
            | ValueSome ids ->
                match without ids id with
                | [||] -> ValueNone
                | rest -> ValueSome rest
            | ValueNone -> ValueNone)
            map

    /// Add a session to a channel's subscribers (shard: an SSUBSCRIBE channel). The caller knows the
    /// session was not subscribed to it yet. O(log n + subscribers).
    let subscribe (shard: bool) (channel: Bytes) (id: int64) (index: PubSubIndex) =
        if shard then
            { index with
                ShardChannels = addTo channel id index.ShardChannels
            }
        else
            { index with
                Channels = addTo channel id index.Channels
            }

    /// Remove a session from a channel's subscribers; a channel with none left goes. O(log n + subscribers).
    let unsubscribe (shard: bool) (channel: Bytes) (id: int64) (index: PubSubIndex) =
        if shard then
            { index with
                ShardChannels = removeFrom channel id index.ShardChannels
            }
        else
            { index with
                Channels = removeFrom channel id index.Channels
            }

    /// Add a session to a pattern's subscribers (the caller knows it was not subscribed). O(patterns).
    let subscribePattern (pattern: Bytes) (id: int64) (index: PubSubIndex) =
        let patterns = index.Patterns

        match patterns |> Array.tryFindIndex (fun p -> Bytes.equals p.Pattern pattern) with
        | Some i ->
            let copy = Array.copy patterns

            copy[i] <-
                { copy[i] with
                    Subscribers = append copy[i].Subscribers id
                }

            { index with Patterns = copy }
        | None ->
            { index with
                Patterns =
                    append
                        patterns
                        {
                            Pattern = pattern
                            Subscribers = [| id |]
                        }
            }

    /// Remove a session from a pattern's subscribers; a pattern with none left goes. O(patterns).
    let unsubscribePattern (pattern: Bytes) (id: int64) (index: PubSubIndex) =
        let patterns = index.Patterns

        match patterns |> Array.tryFindIndex (fun p -> Bytes.equals p.Pattern pattern) with
        | None -> index
        | Some i ->
            match without patterns[i].Subscribers id with
            | [||] ->
                { index with
                    Patterns = Array.removeAt i patterns
                }
            | rest ->
                let copy = Array.copy patterns
                copy[i] <- { copy[i] with Subscribers = rest }
                { index with Patterns = copy }

    /// Remove a session from everything it subscribes to (RESET, a closed connection).
    let drop (subs: Subscriptions) (id: int64) (index: PubSubIndex) =
        let fold f (set: HashMap<Bytes, unit>) index =
            HashMap.fold (fun acc channel () -> f channel id acc) index set

        index
        |> fold (unsubscribe false) subs.Channels
        |> fold unsubscribePattern subs.Patterns
        |> fold (unsubscribe true) subs.ShardChannels

    /// What a PUBLISH sends (pubsubPublishMessage): the channel's subscribers first, then the
    /// subscribers of each pattern that matches the channel (case-sensitive glob), pattern by pattern.
    let deliveries (channel: Bytes) (message: Bytes) (index: PubSubIndex) : Delivery list =
        let patterns = index.Patterns
        let mutable result = []

        for i in patterns.Length - 1 .. -1 .. 0 do
            let p = patterns[i]

            if Glob.isMatch p.Pattern channel false then
                result <-
                    {
                        Kind = MessageKind.PMessage
                        Pattern = p.Pattern
                        Channel = channel
                        Message = message
                        Receivers = p.Subscribers
                    }
                    :: result

        match index.Channels.TryFind channel with
        | ValueSome ids ->
            {
                Kind = MessageKind.Message
                Pattern = Bytes.empty
                Channel = channel
                Message = message
                Receivers = ids
            }
            :: result
        | ValueNone -> result

    /// What an SPUBLISH sends: the shard channel's subscribers (shard channels have no patterns).
    let shardDeliveries (channel: Bytes) (message: Bytes) (index: PubSubIndex) : Delivery list =
        match index.ShardChannels.TryFind channel with
        | ValueSome ids ->
            [
                {
                    Kind = MessageKind.SMessage
                    Pattern = Bytes.empty
                    Channel = channel
                    Message = message
                    Receivers = ids
                }
            ]
        | ValueNone -> []

    /// How many messages the deliveries send (PUBLISH's reply: a client gets one per subscription).
    let receivers (deliveries: Delivery list) =
        let mutable n = 0

        for d in deliveries do
            n <- n + d.Receivers.Length

        n
