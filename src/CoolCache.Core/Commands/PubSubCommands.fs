/// Pub/Sub commands (pubsub.c, Redis 7.0 without cluster): SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their
/// UNSUBSCRIBEs change the session's subscriptions and the World's index, and confirm each channel
/// with a push the host writes even under CLIENT REPLY OFF; PUBLISH and SPUBLISH answer how many
/// messages went out and hand the host one Delivery per channel or matching pattern. PUBSUB reads the
/// index. Which commands RESP2 allows while subscribed is Dispatch's gate.
module CoolCache.Core.Commands.PubSubCommands

open CoolCache.Core
open CoolCache.Core.Collections
open CoolCache.Core.Protocol
open CoolCache.Core.State

/// One kind of subscription (Redis's pubsubtype, plus patterns): the session's set, the index
/// operations, the confirmation words and the count a confirmation reports.
type private Kind =
    {
        Subscribed: RespValue
        Unsubscribed: RespValue
        Get: Subscriptions -> HashMap<Bytes, unit>
        Set: HashMap<Bytes, unit> -> Subscriptions -> Subscriptions
        Add: Bytes -> int64 -> PubSubIndex -> PubSubIndex
        Remove: Bytes -> int64 -> PubSubIndex -> PubSubIndex
        Count: Subscriptions -> int
    }

let private word (s: string) = RespValue.Bulk(Bytes.ofString s)

let private channels =
    {
        Subscribed = word "subscribe"
        Unsubscribed = word "unsubscribe"
        Get = fun s -> s.Channels
        Set = fun set s -> { s with Channels = set }
        Add = PubSubIndex.subscribe false
        Remove = PubSubIndex.unsubscribe false
        Count = Subscriptions.count
    }

let private patterns =
    {
        Subscribed = word "psubscribe"
        Unsubscribed = word "punsubscribe"
        Get = fun s -> s.Patterns
        Set = fun set s -> { s with Patterns = set }
        Add = PubSubIndex.subscribePattern
        Remove = PubSubIndex.unsubscribePattern
        Count = Subscriptions.count
    }

let private shardChannels =
    {
        Subscribed = word "ssubscribe"
        Unsubscribed = word "sunsubscribe"
        Get = fun s -> s.ShardChannels
        Set = fun set s -> { s with ShardChannels = set }
        Add = PubSubIndex.subscribe true
        Remove = PubSubIndex.unsubscribe true
        Count = fun s -> s.ShardChannels.Count
    }

/// The confirmation push: [kind word, channel (or null), subscriptions left].
let private confirm (what: RespValue) (channel: RespValue) (count: int) =
    Effect.Push(RespValue.Push [| what; channel; RespValue.Integer(int64 count) |])

/// No reply of its own: the confirmations are the answer.
let private confirmed (pushes: Effect list) (s: Session) (w: World) =
    { Outcome.reply RespValue.Null s w with
        Effects = pushes
        Silent = true
    }

let private subscribeGeneric (kind: Kind) : Handler =
    fun _ s argv w ->
        let mutable subs = s.Subscriptions
        let mutable index = w.PubSub
        let pushes = ResizeArray(argv.Length - 1)

        for j in 1 .. argv.Length - 1 do
            let channel = argv[j]
            let set = kind.Get subs

            if not (set.ContainsKey channel) then
                subs <- kind.Set (set.Add(channel, ())) subs
                index <- kind.Add channel s.Id index

            pushes.Add(confirm kind.Subscribed (RespValue.Bulk channel) (kind.Count subs))

        confirmed (List.ofSeq pushes) { s with Subscriptions = subs } { w with PubSub = index }

let private unsubscribeGeneric (kind: Kind) : Handler =
    fun _ s argv w ->
        let mutable subs = s.Subscriptions
        let mutable index = w.PubSub
        let pushes = ResizeArray()

        let leave (channel: Bytes) =
            let set = kind.Get subs

            if set.ContainsKey channel then
                subs <- kind.Set (set.Remove channel) subs
                index <- kind.Remove channel s.Id index

            pushes.Add(confirm kind.Unsubscribed (RespValue.Bulk channel) (kind.Count subs))

        if argv.Length > 1 then
            for j in 1 .. argv.Length - 1 do
                leave argv[j]
        else
            for struct (channel, ()) in Array.ofSeq ((kind.Get subs).ToSeq()) do
                leave channel

            // Subscribed to nothing: still one confirmation, with a null channel.
            if pushes.Count = 0 then
                pushes.Add(confirm kind.Unsubscribed RespValue.Null (kind.Count subs))

        confirmed (List.ofSeq pushes) { s with Subscriptions = subs } { w with PubSub = index }

// SUBSCRIBE channel [channel ...]
let subscribe: Handler = subscribeGeneric channels

// UNSUBSCRIBE [channel [channel ...]]
let unsubscribe: Handler = unsubscribeGeneric channels

// PSUBSCRIBE pattern [pattern ...]
let psubscribe: Handler = subscribeGeneric patterns

// PUNSUBSCRIBE [pattern [pattern ...]]
let punsubscribe: Handler = unsubscribeGeneric patterns

// SSUBSCRIBE shardchannel [shardchannel ...]   (without cluster: channels of their own, no slots)
// Run by EXEC it is refused (pubsub.c: a CLIENT_DENY_BLOCKING client expects one reply per command);
// SUBSCRIBE and PSUBSCRIBE make an exception for MULTI, SSUBSCRIBE does not.
let ssubscribe: Handler =
    fun ctx s argv w ->
        if s.InExec then
            Outcome.error RedisError.SsubscribeDenyBlocking s w
        else
            subscribeGeneric shardChannels ctx s argv w

// SUNSUBSCRIBE [shardchannel [shardchannel ...]]
let sunsubscribe: Handler = unsubscribeGeneric shardChannels

let private published (deliveries: Delivery list) (s: Session) (w: World) =
    match deliveries with
    | [] -> Outcome.reply (RespValue.Integer 0L) s w
    | _ ->
        { Outcome.reply (RespValue.Integer(int64 (PubSubIndex.receivers deliveries))) s w with
            Effects = deliveries |> List.map Effect.Publish
        }

// PUBLISH channel message
let publish: Handler =
    fun _ s argv w -> published (PubSubIndex.deliveries argv[1] argv[2] w.PubSub) s w

// SPUBLISH shardchannel message
let spublish: Handler =
    fun _ s argv w -> published (PubSubIndex.shardDeliveries argv[1] argv[2] w.PubSub) s w

/// channelList: the channels of a map matching an optional glob (case-sensitive), in map order.
let private channelList (map: HashMap<Bytes, int64[]>) (s: Session) (argv: Bytes[]) (w: World) =
    if argv.Length > 3 then
        Outcome.error (RedisError.SubcommandSyntax(argv[1], "PUBSUB")) s w
    else
        let names =
            map.ToSeq()
            |> Seq.choose (fun struct (channel, _) ->
                if argv.Length = 2 || Glob.isMatch argv[2] channel false then
                    Some(RespValue.Bulk channel)
                else
                    None)
            |> Array.ofSeq

        Outcome.reply (RespValue.Array names) s w

/// [channel, subscribers, ...] for each channel asked (patterns not counted).
let private numsub (map: HashMap<Bytes, int64[]>) (s: Session) (argv: Bytes[]) (w: World) =
    let pairs =
        [|
            for j in 2 .. argv.Length - 1 do
                RespValue.Bulk argv[j]

                RespValue.Integer(
                    match map.TryFind argv[j] with
                    | ValueSome ids -> int64 ids.Length
                    | ValueNone -> 0L
                )
        |]

    Outcome.reply (RespValue.Array pairs) s w

// PUBSUB CHANNELS [pattern]
let pubsubChannels: Handler =
    fun _ s argv w -> channelList w.PubSub.Channels s argv w

// PUBSUB NUMSUB [channel [channel ...]]
let pubsubNumsub: Handler = fun _ s argv w -> numsub w.PubSub.Channels s argv w

// PUBSUB NUMPAT
let pubsubNumpat: Handler =
    fun _ s _ w -> Outcome.reply (RespValue.Integer(int64 w.PubSub.Patterns.Length)) s w

// PUBSUB SHARDCHANNELS [pattern]
let pubsubShardchannels: Handler =
    fun _ s argv w -> channelList w.PubSub.ShardChannels s argv w

// PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]
let pubsubShardnumsub: Handler =
    fun _ s argv w -> numsub w.PubSub.ShardChannels s argv w

// PUBSUB HELP
let pubsubHelp: Handler =
    fun _ s argv w ->
        let lines =
            [
                "CHANNELS [<pattern>]"
                "    Return the currently active channels matching a <pattern> (default: '*')."
                "NUMPAT"
                "    Return number of subscriptions to patterns."
                "NUMSUB [<channel> ...]"
                "    Return the number of subscribers for the specified channels, excluding"
                "    pattern subscriptions(default: no channels)."
                "SHARDCHANNELS [<pattern>]"
                "    Return the currently active shard level channels matching a <pattern> (default: '*')."
                "SHARDNUMSUB [<shardchannel> ...]"
                "    Return the number of subscribers for the specified shard level channel(s)"
            ]

        Outcome.reply (KeyCommands.helpReply argv[0] lines) s w

let private messageWord = "message"B
let private pmessageWord = "pmessage"B
let private smessageWord = "smessage"B

/// A delivered message as the push a subscriber reads (addReplyPubsubMessage / addReplyPubsubPatMessage):
/// [message, channel, payload], [pmessage, pattern, channel, payload] or [smessage, channel, payload];
/// an array in RESP2, a push (>) in RESP3.
let writeDelivery (protocol: int) (d: Delivery) (output: System.Buffers.IBufferWriter<byte>) =
    match d.Kind with
    | MessageKind.PMessage ->
        RespWriter.writePushHeader protocol 4 output
        RespWriter.writeBulk (System.ReadOnlySpan pmessageWord) output
        RespWriter.writeBulk (System.ReadOnlySpan d.Pattern) output
    | MessageKind.Message ->
        RespWriter.writePushHeader protocol 3 output
        RespWriter.writeBulk (System.ReadOnlySpan messageWord) output
    | MessageKind.SMessage ->
        RespWriter.writePushHeader protocol 3 output
        RespWriter.writeBulk (System.ReadOnlySpan smessageWord) output

    RespWriter.writeBulk (System.ReadOnlySpan d.Channel) output
    RespWriter.writeBulk (System.ReadOnlySpan d.Message) output
