/// Keyspace notifications (notify.c notifyKeyspaceEvent): a Notify effect whose class
/// notify-keyspace-events selects is published on __keyspace@<db>__:<key> with the event as message
/// (K) and on __keyevent@<db>__:<event> with the key as message (E), in that order. The deliveries
/// are added right after their Notify, which stays for the host (WATCH, blocked clients).
module CoolCache.Core.Effects.KeyspaceEvents

open System
open CoolCache.Core
open CoolCache.Core.State
open CoolCache.Core.Commands

let private whereTo = Config.NotifyFlags.Keyspace ||| Config.NotifyFlags.Keyevent

/// Whether any event can be published: notify-keyspace-events names a class and K or E. The host
/// asks handlers for Notify effects (Ctx.Events) only then.
let enabled (config: Config) =
    let flags = config.NotifyKeyspaceEvents
    flags &&& whereTo <> 0 && flags &&& ~~~whereTo <> 0

/// "__keyspace@<db>__:" or "__keyevent@<db>__:" followed by suffix.
let private channel (prefix: string) (db: int) (suffix: Bytes) : Bytes =
    let head = Text.Encoding.ASCII.GetBytes(prefix + string db + "__:")
    let bytes = Array.zeroCreate (head.Length + suffix.Length)
    head.CopyTo(bytes, 0)
    suffix.CopyTo(bytes, head.Length)
    bytes

/// What one event sends to subscribers (nothing when its class is off or nobody listens).
let deliveries (config: Config) (index: PubSubIndex) (e: KeyEvent) : Delivery list =
    let flags = config.NotifyKeyspaceEvents

    if flags &&& int e.Class = 0 then
        []
    else
        let event = Text.Encoding.ASCII.GetBytes e.Event

        let keyspace =
            if flags &&& Config.NotifyFlags.Keyspace <> 0 then
                PubSubIndex.deliveries (channel "__keyspace@" e.Db e.Key) event index
            else
                []

        let keyevent =
            if flags &&& Config.NotifyFlags.Keyevent <> 0 then
                PubSubIndex.deliveries (channel "__keyevent@" e.Db event) e.Key index
            else
                []

        keyspace @ keyevent

/// Follow each Notify effect with its deliveries (Engine.step, after every command).
let settle (o: Outcome) : Outcome =
    let isNotify =
        function
        | Effect.Notify _ -> true
        | _ -> false

    if not (List.exists isNotify o.Effects) then
        o
    else
        let config = o.World.Config
        let index = o.World.PubSub

        { o with
            Effects =
                o.Effects
                |> List.collect (fun effect ->
                    match effect with
                    | Effect.Notify e -> effect :: (deliveries config index e |> List.map Effect.Publish)
                    | other -> [ other ])
        }
