module CoolCache.Core.Tests.State.WorldTests

open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Commands
open CoolCache.Core.Keyspace
open CoolCache.Core.State

let private host = CoolCache.Core.Tests.TestHost.none

let private ctx =
    {
        NowMs = 1L
        NowUs = 1000L
        Seed = 1UL
        Host = host
        IsLocal = true
        Events = false
    }

let private run (w: World) (argv: string list) =
    let r =
        Api.Execute(ctx, Api.NewSession 1L, argv |> List.map Bytes.ofString |> Array.ofList, w)

    r.World

/// Every key and value of db 0, sorted.
let private contents (w: World) =
    (World.db 0 w).Keys
    |> Collections.HashMap.toSeq
    |> Seq.map (fun struct (k, v) -> Bytes.toString k, Values.Value.tryString v |> ValueOption.map Bytes.toString)
    |> Seq.sort
    |> List.ofSeq

let private genWrite =
    let key = Gen.elements [ "a"; "b"; "c"; "d"; "e"; "f"; "g"; "h" ]
    let value = Gen.choose (0, 99) |> Gen.map string

    Gen.oneof
        [
            Gen.map2 (fun k v -> [ "SET"; k; v ]) key value
            Gen.map (fun k -> [ "DEL"; k ]) key
            Gen.map (fun k -> [ "INCR"; k + "n" ]) key
            Gen.map2 (fun k v -> [ "APPEND"; k; v ]) key value
        ]

let tests =
    testList
        "World"
        [
            testProperty "a frozen World keeps its contents while the live one goes on being written"
            <| Prop.forAll (Arb.fromGen (Gen.zip (Gen.listOf genWrite) (Gen.listOf genWrite))) (fun (before, after) ->
                let w = before |> List.fold run (World.create Config.defaults)
                let struct (frozen, live) = World.freeze w
                let expected = contents frozen
                let live = after |> List.fold run live
                Expect.equal (contents frozen) expected "the frozen World is unchanged"
                // The live World saw both halves, as a persistent replay does.
                let replay = (before @ after) |> List.fold run (World.create Config.defaults)
                Expect.equal (contents live) (contents replay) "the live World has every write")

            testCase "writes to a live World count Dirty in place and keep the same World value"
            <| fun () ->
                let w = World.create Config.defaults
                let w' = run w [ "SET"; "k"; "v" ]
                Expect.isTrue (obj.ReferenceEquals(w, w')) "same live World"
                Expect.equal w'.Dirty 1L "one write"
        ]
