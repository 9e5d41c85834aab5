/// The host view core tests run commands with: no clients, no statistics, nobody blocked.
module CoolCache.Core.Tests.TestHost

open CoolCache.Core.Commands

let none =
    { new IHostView with
        member _.Clients() = [||]
        member _.Stats() = Unchecked.defaultof<_>
        member _.IsBlocked _ = false
    }
